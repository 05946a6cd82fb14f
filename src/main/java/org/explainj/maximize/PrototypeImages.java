package org.explainj.maximize;

import java.awt.Color;
import java.util.Locale;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Plot;
import ij.process.FloatProcessor;

/**
 * Prototypes as ImageJ data: a 32-bit stack (one slice per target, one plane per channel: an ImageJ
 * hyperstack for colour models) in the model's input geometry with raw values, the objective curves as a
 * Plot, and as CSV (step, one column per target).
 */
public final class PrototypeImages {

	private static final Color[] COLOURS = { Color.BLUE, Color.RED, new Color(0, 150, 0), Color.MAGENTA, Color.ORANGE,
		Color.CYAN.darker(), Color.BLACK, Color.PINK.darker(), Color.GRAY, new Color(120, 60, 0) };

	private PrototypeImages() {}

	/** One slice per target (labelled with the target and its final probability), C planes each. */
	public static ImagePlus stack(Prototypes p, String title) {
		ImageStack stack = new ImageStack(p.width(), p.height());
		int plane = p.width() * p.height();
		for (int i = 0; i < p.size(); i++) {
			for (int ch = 0; ch < p.channels(); ch++) {
				float[] pixels = new float[plane];
				System.arraycopy(p.planes()[i], ch * plane, pixels, 0, plane);
				stack.addSlice(sliceLabel(p, i) + (p.channels() > 1 ? " c" + (ch + 1) : ""), new FloatProcessor(p.width(), p
					.height(), pixels));
			}
		}
		ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(p.channels(), p.size(), 1);
		if (p.channels() > 1) imp.setOpenAsHyperStack(true);
		imp.getProcessor().resetMinAndMax();
		imp.setProperty("Info", String.join("\n", java.util.stream.IntStream.range(0, p.size()).mapToObj(p::label)
			.toList()));
		return imp;
	}

	/** "3 p=0.9986" for a class, "conv2:5 mean=1.905" for a unit. */
	public static String sliceLabel(Prototypes p, int i) {
		return p.classes()[i] >= 0 ? String.format(Locale.ROOT, "%s p=%.4f", p.targets().get(i), p
			.finalProbabilities()[i]) : String.format(Locale.ROOT, "%s mean=%.4g", p.targets().get(i), p.finalScores()[i]);
	}

	/** The objective of every target over the steps. */
	public static Plot plot(Prototypes p, String title) {
		Plot plot = new Plot(title, "step", "objective");
		int steps = p.curves()[0].length;
		double[] x = new double[steps];
		for (int s = 0; s < steps; s++) x[s] = s + 1;
		StringBuilder legend = new StringBuilder();
		for (int i = 0; i < p.size(); i++) {
			double[] y = new double[steps];
			for (int s = 0; s < steps; s++) y[s] = p.curves()[i][s];
			plot.setColor(COLOURS[i % COLOURS.length]);
			plot.addPoints(x, y, Plot.LINE);
			legend.append(i > 0 ? "\n" : "").append(p.targets().get(i));
		}
		plot.setLimitsToFit(false);
		plot.addLegend(legend.toString());
		return plot;
	}

	/** The objective per step as CSV: step, then one column per target (files are the front ends' to write). */
	public static String csv(Prototypes p) {
		StringBuilder s = new StringBuilder("step");
		for (String t : p.targets()) s.append(',').append(t.contains(",") || t.contains("\"") ? "\"" + t.replace("\"",
			"\"\"") + "\"" : t);
		s.append('\n');
		int steps = p.curves()[0].length;
		for (int k = 0; k < steps; k++) {
			s.append(k + 1);
			for (int i = 0; i < p.size(); i++) s.append(',').append(p.curves()[i][k]);
			s.append('\n');
		}
		return s.toString();
	}
}

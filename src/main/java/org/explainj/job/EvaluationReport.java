package org.explainj.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.MethodComparison;
import org.explainj.model.ClassifierModel;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.gui.Plot;
import ij.measure.ResultsTable;

/** A method comparison as a table, a CSV file and plots of the mean perturbation and insertion curves. */
public final class EvaluationReport {

	private EvaluationReport() {}

	/**
	 * The images brought to the model as one batch, and what the user should know about it (one sentence
	 * each, led by the image's title): channel and intensity conversions, an image squeezed whole into a
	 * much smaller input under auto.
	 */
	public record Inputs(InputBatch batch, List<String> notes) {}

	/**
	 * As {@link #batch(List, ClassifierModel, IntensityScaling)} for geometry fit; for geometry roi every
	 * frame of each ROI's box of every image (the given ROIs, else each image's selection); for auto an
	 * image's selection when it has one (a selection is never ignored silently), else the whole image.
	 */
	public static Inputs batch(List<ImagePlus> images, ClassifierModel model, IntensityScaling scaling,
		Geometry geometry)
	{
		if (geometry.kind() == Geometry.Kind.TILE) throw new ExplainException("Evaluate takes geometry fit or roi, not tile.",
			"Give the windows to compare as ROIs (--roi x,y,w,h), or as images of their own.");
		IntensityScaling effective = scaling != null ? scaling : IntensityScaling.of(model);
		List<ImagePlus> crops = new ArrayList<>();
		Set<String> notes = new LinkedHashSet<>();
		for (ImagePlus imp : images) {
			List<Roi> rois = ExplainJob.regions(imp, geometry);
			ImageGeometry.notes(ImageFrames.of(imp), model, effective).forEach(n -> notes.add(imp.getTitle() + ": " + n));
			if (rois.isEmpty()) {
				crops.add(imp);
				if (geometry.kind() == Geometry.Kind.AUTO) ExplainJob.largeImageWarning(imp, model).ifPresent(n -> notes.add(imp
					.getTitle() + ": " + n));
			}
			for (Roi roi : rois) crops.add(RoiRun.crop(imp, RoiRun.box(imp, roi)));
		}
		return new Inputs(batch(crops, model, effective), List.copyOf(notes));
	}

	/**
	 * Every frame of every image, brought to the model, as one batch; {@code scaling} null: the model's own
	 * ({@link IntensityScaling#of}).
	 */
	public static InputBatch batch(List<ImagePlus> images, ClassifierModel model, IntensityScaling scaling) {
		List<InputBatch> parts = new ArrayList<>();
		for (ImagePlus imp : images) parts.add(ImageGeometry.shared().toModelInput(ImageFrames.of(imp), model,
			scaling != null ? scaling : IntensityScaling.of(model)));
		int n = parts.stream().mapToInt(InputBatch::n).sum();
		InputBatch first = parts.get(0);
		float[] data = new float[n * first.imageSize()];
		int at = 0;
		for (InputBatch p : parts) {
			System.arraycopy(p.data(), 0, data, at, p.data().length);
			at += p.data().length;
		}
		return new InputBatch(data, n, first.height(), first.width(), first.channels());
	}

	public static ResultsTable table(List<MethodComparison.Score> scores) {
		ResultsTable t = new ResultsTable();
		for (MethodComparison.Score s : scores) {
			t.incrementCounter();
			t.addValue("Method", s.method());
			t.addValue("AUC", s.auc());
			t.addValue("AOPC", s.aopc());
			t.addValue("Continuity (max)", s.continuity());
			t.addValue("Continuity (mean)", s.continuityMean());
			t.addValue("Insertion AUC", s.insertionAuc());
			t.addValue("MuFidelity", s.muFidelity());
			t.addValue("Seconds per image", s.secondsPerImage());
		}
		return t;
	}

	public static void writeCsv(List<MethodComparison.Score> scores, Path file) {
		StringBuilder csv = new StringBuilder("method,mean_auc,aopc,continuity,continuity_mean,seconds_per_image," +
			"insertion_auc,mufidelity\n");
		for (MethodComparison.Score s : scores) {
			csv.append(String.format(Locale.ROOT, "%s,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", s.method(), s.auc(), s.aopc(), s
				.continuity(), s.continuityMean(), s.secondsPerImage(), s.insertionAuc(), s.muFidelity()));
		}
		ResultFiles.saveText(csv.toString(), file);
	}

	/** Mean f_t / f_0 against the number of windows removed, one curve per method, ranked in the legend. */
	public static ImagePlus plot(List<MethodComparison.Score> scores, String title) {
		return curves(scores, title, "windows removed", "score / initial score", MethodComparison.Score::meanCurve,
			s -> String.format(Locale.ROOT, "%s (AUC %.3f)", s.method(), s.auc()));
	}

	/** The mean insertion curve (the target's probability) against the step, one curve per method. */
	public static ImagePlus insertionPlot(List<MethodComparison.Score> scores, String title) {
		return curves(scores, title, "insertion step", "probability of the explained class", MethodComparison.Score::insertionCurve,
			s -> String.format(Locale.ROOT, "%s (AUC %.3f)", s.method(), s.insertionAuc()));
	}

	/** The mean continuity ratio per step of the sequence, one curve per method. */
	public static ImagePlus continuityPlot(List<MethodComparison.Score> scores, String title) {
		return curves(scores, title, "step t", "||R(t) - R(t+1)||_1 / ||x(t) - x(t+1)||_2",
			MethodComparison.Score::continuityCurve, s -> String.format(Locale.ROOT, "%s (max %.3g)", s.method(), s
				.continuity()));
	}

	/** The maps of the first image's sequence, one slice per method and step, labelled. */
	public static ImagePlus sequenceStack(List<MethodComparison.Score> scores, int width, int height) {
		ij.ImageStack stack = new ij.ImageStack(width, height);
		for (MethodComparison.Score s : scores) {
			int n = s.sequenceMaps().length / (width * height);
			for (int t = 0; t < n; t++) {
				float[] map = java.util.Arrays.copyOfRange(s.sequenceMaps(), t * width * height, (t + 1) * width * height);
				stack.addSlice(s.method() + " t=" + t, new ij.process.FloatProcessor(width, height, map));
			}
		}
		return new ImagePlus("Continuity maps", stack);
	}

	private static ImagePlus curves(List<MethodComparison.Score> scores, String title, String xLabel, String yLabel,
		java.util.function.Function<MethodComparison.Score, float[]> curve,
		java.util.function.Function<MethodComparison.Score, String> label)
	{
		Plot plot = new Plot(title, xLabel, yLabel);
		StringBuilder legend = new StringBuilder();
		// a qualitative palette (Okabe-Ito and Tableau), distinct for up to 16 methods
		int[] palette = { 0xE69F00, 0x56B4E9, 0x009E73, 0xD55E00, 0x0072B2, 0xCC79A7, 0x000000, 0xF0E442, 0x8C564B,
			0x7F7F7F, 0xBCBD22, 0x17BECF, 0x9467BD, 0xD62728, 0x2CA02C, 0x1F77B4 };
		for (int i = 0; i < scores.size(); i++) {
			MethodComparison.Score s = scores.get(i);
			float[] c = curve.apply(s);
			double[] x = new double[c.length], y = new double[x.length];
			for (int t = 0; t < x.length; t++) {
				x[t] = t;
				y[t] = c[t];
			}
			plot.setColor(new java.awt.Color(palette[i % palette.length]));
			plot.addPoints(x, y, Plot.LINE);
			legend.append(label.apply(s)).append('\n');
		}
		plot.setColor(java.awt.Color.BLACK);
		plot.addLegend(legend.toString());
		plot.setLimitsToFit(false);
		return plot.getImagePlus();
	}
}

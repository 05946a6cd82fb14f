package org.explainj.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.explainj.metrics.SanityCheck;
import org.explainj.render.DisplayRange;
import org.explainj.render.Heatmaps;
import org.explainj.render.Montage;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/** A sanity check as a table, a CSV file, a plot of similarity against randomised layers and a montage. */
public final class SanityReport {

	/** What a method whose maps survive the whole cascade is told. */
	public static final String IGNORES_MODEL = "does not depend on the model";

	private static final int TILE = 96;

	private SanityReport() {}

	public static ResultsTable table(SanityCheck.Report report) {
		ResultsTable t = new ResultsTable();
		for (SanityCheck.MethodResult m : report.methods()) {
			for (SanityCheck.Row r : m.rows()) {
				t.incrementCounter();
				t.addValue("Method", r.method());
				t.addValue("Layer", r.layer());
				t.addValue("Mode", r.mode());
				t.addValue("Spearman", r.spearman());
				t.addValue("SSIM", r.ssim());
				t.addValue("Top 10%", r.top10());
				t.addValue("Note", note(report, m, r));
			}
		}
		return t;
	}

	/** method,layer,mode,spearman,ssim,top10,note: cascade rows from the logits down, then each layer, then a random class. */
	public static void writeCsv(SanityCheck.Report report, Path file) {
		StringBuilder csv = new StringBuilder("method,layer,mode,spearman,ssim,top10,note\n");
		for (SanityCheck.MethodResult m : report.methods()) {
			for (SanityCheck.Row r : m.rows()) csv.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%.6f,%s%n", r
				.method(), r.layer(), r.mode(), r.spearman(), r.ssim(), r.top10(), note(report, m, r)));
		}
		ResultFiles.saveText(csv.toString(), file);
	}

	/** The flag on a model-independent method's last cascade row. */
	private static String note(SanityCheck.Report report, SanityCheck.MethodResult m, SanityCheck.Row r) {
		List<SanityCheck.Row> cascade = m.rows(SanityCheck.CASCADING);
		return m.modelIndependent() && r == cascade.get(cascade.size() - 1) ? IGNORES_MODEL : "";
	}

	/**
	 * Spearman's rank correlation with the original maps against the number of layers randomised from the
	 * logits down (0 = the trained model), one curve per method.
	 */
	public static ImagePlus plot(SanityCheck.Report report, String title) {
		Plot plot = new Plot(title, "layers randomised from the logits down to the one named (0 = trained)",
			"rank correlation of |R| with the original");
		StringBuilder legend = new StringBuilder();
		int[] palette = { 0xE69F00, 0x56B4E9, 0x009E73, 0xD55E00, 0x0072B2, 0xCC79A7, 0x000000, 0xF0E442, 0x8C564B,
			0x7F7F7F, 0xBCBD22, 0x17BECF, 0x9467BD, 0xD62728, 0x2CA02C, 0x1F77B4 };
		for (int i = 0; i < report.methods().size(); i++) {
			SanityCheck.MethodResult m = report.methods().get(i);
			List<SanityCheck.Row> cascade = m.rows(SanityCheck.CASCADING);
			double[] x = new double[cascade.size() + 1], y = new double[x.length];
			y[0] = 1;
			for (int t = 0; t < cascade.size(); t++) {
				x[t + 1] = t + 1;
				y[t + 1] = cascade.get(t).spearman();
			}
			plot.setColor(new java.awt.Color(palette[i % palette.length]));
			plot.addPoints(x, y, Plot.LINE);
			legend.append(m.method()).append(m.modelIndependent() ? " (" + IGNORES_MODEL + ")" : "").append('\n');
		}
		plot.setColor(java.awt.Color.BLACK);
		plot.setLimits(0, report.layers().size() + 0.5, -1, 1.8); // room for the legend and the last layer name
		plot.setJustification(Plot.CENTER);
		for (int t = 0; t < report.layers().size(); t++) plot.addText(report.layers().get(t), t + 1, -0.9);
		plot.addLegend(legend.toString(), "top-right");
		return plot.getImagePlus();
	}

	/**
	 * The first image, then per method its original map and its map after each cascade step (columns: the
	 * lowest layer randomised so far), each in its own display range.
	 */
	public static ColorProcessor montage(SanityCheck.Report report, ImageProcessor image) {
		List<String> titles = new ArrayList<>(List.of("image", "original"));
		report.layers().forEach(l -> titles.add("to " + l));
		List<List<ImageProcessor>> rows = new ArrayList<>();
		List<String> captions = new ArrayList<>();
		for (SanityCheck.MethodResult m : report.methods()) {
			List<ImageProcessor> row = new ArrayList<>(List.of(image, colour(m.original(), report)));
			m.cascadeMaps().forEach(map -> row.add(colour(map, report)));
			rows.add(row);
			captions.add(m.method() + (m.modelIndependent() ? ": " + IGNORES_MODEL : ""));
		}
		return Montage.build(titles, captions, rows, TILE);
	}

	private static ColorProcessor colour(float[] map, SanityCheck.Report report) {
		return Heatmaps.colour(map, report.width(), report.height(), DisplayRange.of(map));
	}
}

package org.explainj.job;

import java.util.List;
import java.util.Locale;

import org.explainj.methods.Explanation;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.render.DisplayRange;
import org.explainj.render.Heatmaps;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;

/**
 * The maps of one run in the source image's geometry (planar [frame, channel, y, x], raw values) with
 * what was predicted and explained for each frame, and the pictures made from them.
 */
public final class ExplainResult {

	private final ImagePlus source;
	private final ClassifierModel model;
	private final ExplainOptions options;
	private final Explanation explanation;
	private final float[] maps;
	private final int width;
	private final int height;
	private final List<String> notes;

	ExplainResult(ImagePlus source, ClassifierModel model, ExplainOptions options, Explanation explanation,
		float[] maps, List<String> notes)
	{
		this.notes = List.copyOf(notes);
		this.source = source;
		this.model = model;
		this.options = options;
		this.explanation = explanation;
		this.maps = maps;
		this.width = source.getWidth();
		this.height = source.getHeight();
	}

	public Explanation explanation() { return explanation; }

	/** Sentences about the run the user should read (an upsampled tiny image, a regression head). */
	public List<String> notes() { return notes; }

	public ClassifierModel model() { return model; }

	public ExplainOptions options() { return options; }

	public int frames() { return explanation.n(); }

	public int channels() { return explanation.channels(); }

	/** Raw map of frame i and channel c in the source geometry (a copy). */
	public float[] map(int frame, int channel) {
		float[] m = new float[width * height];
		System.arraycopy(maps, (frame * channels() + channel) * m.length, m, 0, m.length);
		return m;
	}

	/** The map shown for frame i: channels summed where the map kept them (reduction none). */
	public float[] displayMap(int frame) {
		float[] m = map(frame, 0);
		for (int c = 1; c < channels(); c++) {
			float[] other = map(frame, c);
			for (int i = 0; i < m.length; i++) m[i] += other[i];
		}
		return m;
	}

	/**
	 * The raw maps as a new 32-bit image with the source's calibration: one channel per map channel,
	 * slices and frames as in the source.
	 */
	public ImagePlus mapImage() {
		ImageStack stack = new ImageStack(width, height);
		for (int f = 0; f < frames(); f++) {
			for (int c = 0; c < channels(); c++) stack.addSlice(label(f), new FloatProcessor(width, height, map(f, c)));
		}
		ImagePlus imp = new ImagePlus(options.method().title() + " of " + source.getTitle(), stack);
		imp.setDimensions(channels(), source.getNSlices(), source.getNFrames());
		if (channels() > 1 || source.getNSlices() > 1 || source.getNFrames() > 1) imp.setOpenAsHyperStack(true);
		imp.setCalibration(source.getCalibration().copy());
		imp.setProperty("Info", info());
		// one channel: the range of the image's own pixels, without another full-size copy
		DisplayRange range = DisplayRange.of(channels() == 1 ? (float[]) stack.getPixels(1) : displayMap(0));
		imp.getProcessor().setColorModel(range.lut().colorModel());
		imp.setDisplayRange(range.min(), range.max());
		return imp;
	}

	public ColorProcessor heatmap(int frame) {
		float[] m = displayMap(frame);
		return Heatmaps.colour(m, width, height, DisplayRange.of(m));
	}

	/** One coloured map per frame, each on its own slice of the source. */
	public Overlay overlay(double opacity) {
		Overlay overlay = new Overlay();
		for (int f = 0; f < frames(); f++) {
			ImageRoi roi = Heatmaps.overlay(heatmap(f), opacity, roiName(f));
			if (frames() > 1) {
				int z = f % source.getNSlices() + 1, t = f / source.getNSlices() + 1;
				if (source.isHyperStack()) roi.setPosition(0, z, t);
				else roi.setPosition(f + 1);
			}
			overlay.add(roi);
		}
		return overlay;
	}

	public String roiName(int frame) {
		return "ExplainJ " + options.method().name() + " " + model.className(explanation.targets()[frame]);
	}

	/** E.g. "infected: logit 7.213; predicted infected, p=0.9999; completeness-gap 0.0121". */
	public String label(int frame) {
		int target = explanation.targets()[frame];
		int predicted = explanation.predicted()[frame];
		if (model.isRegression()) return String.format(Locale.ROOT, "output %.4g (regression, no probability)", explanation
			.targetScores()[frame]) + diagnostics(frame);
		StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s: %s %.4g; predicted %s, p=%.4f", model
			.className(target), options.score().cliName(), explanation.targetScores()[frame], model.className(predicted),
			explanation.probabilities()[frame][predicted]));
		return s + diagnostics(frame);
	}

	private String diagnostics(int frame) {
		StringBuilder s = new StringBuilder();
		// counts (the steps adaptive IG used) read as whole numbers, measured gaps with four digits
		explanation.diagnostics().forEach((name, values) -> s.append(values[frame] == Math.rint(values[frame]) && Math.abs(
			values[frame]) < 1e7 ? String.format(Locale.ROOT, "; %s %d", name, (long) values[frame]) : String.format(
				Locale.ROOT, "; %s %.4g", name, values[frame])));
		return s.toString();
	}

	/** One row per frame: image, slice, method, target, score, prediction and the method's diagnostics. */
	public void addRows(ResultsTable table, String imageTitle) {
		for (int f = 0; f < frames(); f++) {
			table.incrementCounter();
			table.addValue("Image", imageTitle);
			table.addValue("Slice", f + 1);
			table.addValue("Method", options.method().name());
			table.addValue("Target", model.className(explanation.targets()[f]));
			table.addValue("Score (" + options.score().cliName() + ")", explanation.targetScores()[f]);
			int predicted = explanation.predicted()[f];
			table.addValue("Predicted", model.className(predicted));
			table.addValue("Probability", model.isRegression() ? Double.NaN : explanation.probabilities()[f][predicted]);
			int frame = f;
			explanation.diagnostics().forEach((name, values) -> table.addValue(name, values[frame]));
			if (!model.auditFindings().isEmpty()) table.addValue("Trusted model", ModelAudit.trustNote(model));
		}
	}

	private String info() {
		return "ExplainJ " + options.method().name() + "\nmodel=" + model.path() + "\ntarget=" + options.target() +
			"\nscore=" + options.score().cliName() + "\nscale=" + options.scaling().cliName() + "\nreduce=" +
			options.effectiveReduction().cliName() + "\n" + (model.auditFindings().isEmpty() ? "" : ModelAudit.trustNote(
				model) + "\n");
	}
}

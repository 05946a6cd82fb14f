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
import ij.gui.Roi;
import ij.gui.Overlay;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;

/**
 * The maps of one run in the source image's geometry, or at the explained layer's resolution where the
 * method was asked for that (planar [frame, channel, y, x], raw values) with
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
		float[] maps, int width, int height, List<String> notes)
	{
		this.notes = List.copyOf(notes);
		this.source = source;
		this.model = model;
		this.options = options;
		this.explanation = explanation;
		this.maps = maps;
		this.width = width;
		this.height = height;
	}

	/** False for maps at a layer's own resolution (resolution=layer), which cannot lie over the source. */
	public boolean atImageSize() {
		return width == source.getWidth() && height == source.getHeight();
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
	 * slices and frames as in the source. Shown with the range shared by all slices (the overlay's) and a
	 * colour bar in its overlay; its pixels are the raw values.
	 */
	public ImagePlus mapImage() {
		ImageStack stack = new ImageStack(width, height);
		for (int f = 0; f < frames(); f++) {
			for (int c = 0; c < channels(); c++) stack.addSlice(label(f), new FloatProcessor(width, height, map(f, c)));
		}
		ImagePlus imp = new ImagePlus(options.method().title() + " of " + source.getTitle(), stack);
		imp.setDimensions(channels(), source.getNSlices(), source.getNFrames());
		if (channels() > 1 || source.getNSlices() > 1 || source.getNFrames() > 1) imp.setOpenAsHyperStack(true);
		ij.measure.Calibration calibration = source.getCalibration().copy();
		calibration.pixelWidth *= (double) source.getWidth() / width;
		calibration.pixelHeight *= (double) source.getHeight() / height;
		imp.setCalibration(calibration);
		imp.setProperty("Info", info());
		DisplayRange range = sharedRange();
		imp.getProcessor().setColorModel(range.lut().colorModel());
		imp.setDisplayRange(range.min(), range.max());
		Overlay bar = new Overlay();
		Heatmaps.colourBar(range, width, height).forEach(bar::add);
		imp.setOverlay(bar);
		return imp;
	}

	/**
	 * One display range for all slices, so that a slice with weak evidence looks weak next to a strong one
	 * (a single image: its own range).
	 */
	public DisplayRange sharedRange() {
		// one channel: the maps themselves are the frames' display maps, read without a full-size copy
		if (channels() == 1) return DisplayRange.of(maps);
		float[] all = new float[frames() * width * height];
		for (int f = 0; f < frames(); f++) System.arraycopy(displayMap(f), 0, all, f * width * height, width * height);
		return DisplayRange.of(all);
	}

	/** The coloured map of frame i in the range shared by all slices (for PNG files). */
	public ColorProcessor heatmap(int frame) {
		return Heatmaps.colour(displayMap(frame), width, height, sharedRange());
	}

	/**
	 * One coloured map per frame, each on its own slice of the source, transparent where the map is near
	 * zero, with a colour bar: in one range for all slices, or with {@code perSlice} each slice in its own
	 * range (and its own colour bar).
	 */
	public Overlay overlay(double opacity, boolean perSlice) {
		Overlay overlay = new Overlay();
		DisplayRange shared = perSlice ? null : sharedRange();
		for (int f = 0; f < frames(); f++) {
			float[] m = displayMap(f);
			DisplayRange range = perSlice ? DisplayRange.of(m) : shared;
			overlay.add(onSlice(Heatmaps.overlay(m, width, height, range, opacity, roiName(f)), f));
			if (perSlice) for (Roi bar : Heatmaps.colourBar(range, width, height)) overlay.add(onSlice(bar, f));
		}
		if (!perSlice) Heatmaps.colourBar(shared, width, height).forEach(overlay::add);
		return overlay;
	}

	private Roi onSlice(Roi roi, int frame) {
		if (frames() > 1) {
			int z = frame % source.getNSlices() + 1, t = frame / source.getNSlices() + 1;
			if (source.isHyperStack()) roi.setPosition(0, z, t);
			else roi.setPosition(frame + 1);
		}
		return roi;
	}

	public String roiName(int frame) {
		return Heatmaps.PREFIX + options.method().name() + " " + model.className(explanation.targets()[frame]);
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

	/**
	 * One row per frame: image, slice and its label, method, target, score, prediction, the method's
	 * diagnostics and its parameters (name = value). A column that does not apply to a row (another method's
	 * diagnostic or parameter, a regression's probability) stays empty rather than showing 0.
	 */
	public void addRows(ResultsTable table, String imageTitle) {
		table.setNaNEmptyCells(true);
		for (int f = 0; f < frames(); f++) {
			table.incrementCounter();
			table.addValue("Image", imageTitle);
			table.addValue("Slice", f + 1);
			table.addValue("Slice label", sliceLabel(f));
			table.addValue("Method", options.method().name());
			table.addValue("Target", model.className(explanation.targets()[f]));
			table.addValue("Score (" + options.score().cliName() + ")", explanation.targetScores()[f]);
			int predicted = explanation.predicted()[f];
			table.addValue("Predicted", model.className(predicted));
			if (!model.isRegression()) table.addValue("Probability", explanation.probabilities()[f][predicted]);
			int frame = f;
			explanation.diagnostics().forEach((name, values) -> table.addValue(name, values[frame]));
			options.settings().values().forEach(table::addValue);
			if (!model.auditFindings().isEmpty()) table.addValue("Trusted model", ModelAudit.trustNote(model));
		}
		blankEmptyCells(table);
	}

	/** Cells never given a value are NaN (setNaNEmptyCells): shown empty instead. */
	private static void blankEmptyCells(ResultsTable table) {
		for (String column : table.getHeadings()) {
			int c = table.getColumnIndex(column);
			if (c == ResultsTable.COLUMN_NOT_FOUND) continue;
			for (int row = 0; row < table.size(); row++) {
				if ("NaN".equals(table.getStringValue(c, row))) table.setValue(c, row, "");
			}
		}
	}

	private String sliceLabel(int frame) {
		int index = source.isHyperStack() ? source.getStackIndex(1, frame % source.getNSlices() + 1, frame / source
			.getNSlices() + 1) : frame + 1;
		String label = source.getStack().getSliceLabel(index);
		return label == null ? "" : label.lines().findFirst().orElse("");
	}

	private String info() {
		return Heatmaps.PREFIX + options.method().name() + "\nmodel=" + model.path() + "\ntarget=" + options.target() +
			"\nscore=" + options.score().cliName() + "\nscale=" + options.scaling().cliName() + "\nreduce=" +
			options.effectiveReduction().cliName() + "\n" + (model.auditFindings().isEmpty() ? "" : ModelAudit.trustNote(
				model) + "\n");
	}
}

package org.explainj.job;

import java.util.List;
import java.util.Locale;
import java.util.Map;

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

	/**
	 * One results row: what was explained (a frame; a ROI of it; or, {@code windows} > 0, every window of
	 * a tiled frame, summarised) and what the model said. {@code region} is empty for a whole frame.
	 * For a tiled frame {@code target} is the explained class (-1: each window's own top class), {@code
	 * predicted} the class most windows predict, {@code probability} the largest probability of the
	 * explained class over the windows, at {@code at} (the window's top left), and {@code windowsByClass}
	 * counts the windows whose top class each class is; {@code diagnostics} are then means over windows.
	 */
	public record Row(int frame, String region, int target, int predicted, float score, float probability,
		Map<String, Float> diagnostics, int windows, int[] windowsByClass, int[] at) {}

	private final ImagePlus source;
	private final ClassifierModel model;
	private final ExplainOptions options;
	private final Explanation explanation;
	private final float[] maps;
	private final int channels;
	private final int width;
	private final int height;
	private final List<Row> rows;
	private final List<String> notes;
	private final String channelText;
	private final float[] classMap;
	private final short[] labels;

	ExplainResult(ImagePlus source, ClassifierModel model, ExplainOptions options, Explanation explanation,
		float[] maps, int width, int height, List<String> notes, String channelText)
	{
		this(source, model, options, explanation, maps, width, height, explanation.channels(), rows(explanation, i -> i,
			i -> ""), notes, null, null, channelText);
	}

	/**
	 * A result of any geometry: {@code explanation} is the run's own when it explained whole frames (else
	 * null), {@code classMap} and {@code labels} exist for tiled runs ({@code labels} only for target top);
	 * the maps are {@code width} x {@code height}, the source's size except at a layer's own resolution.
	 */
	ExplainResult(ImagePlus source, ClassifierModel model, ExplainOptions options, Explanation explanation,
		float[] maps, int width, int height, int channels, List<Row> rows, List<String> notes, float[] classMap,
		short[] labels, String channelText)
	{
		this.notes = List.copyOf(notes);
		this.channelText = channelText;
		this.source = source;
		this.model = model;
		this.options = options;
		this.explanation = explanation;
		this.maps = maps;
		this.channels = channels;
		this.rows = List.copyOf(rows);
		this.classMap = classMap;
		this.labels = labels;
		this.width = width;
		this.height = height;
	}

	/** False for maps at a layer's own resolution (resolution=layer), which cannot lie over the source. */
	public boolean atImageSize() {
		return width == source.getWidth() && height == source.getHeight();
	}

	/** The rows of an explanation whose image i is frame {@code frame(i)}, region {@code region(i)}. */
	static List<Row> rows(Explanation e, java.util.function.IntUnaryOperator frame, java.util.function.IntFunction<
		String> region)
	{
		List<Row> rows = new java.util.ArrayList<>();
		for (int i = 0; i < e.n(); i++) {
			Map<String, Float> d = new java.util.LinkedHashMap<>();
			int image = i;
			e.diagnostics().forEach((name, values) -> d.put(name, values[image]));
			rows.add(new Row(frame.applyAsInt(i), region.apply(i), e.targets()[i], e.predicted()[i], e.targetScores()[i], e
				.probabilities()[i][e.predicted()[i]], d, 0, null, null));
		}
		return rows;
	}

	/** The explanation of whole frames (geometry fit); null for ROIs and tiles, whose rows say what they found. */
	public Explanation explanation() { return explanation; }

	/** One per frame (fit), per ROI and frame (roi), or per tiled frame (tile). */
	public List<Row> rows() { return rows; }

	/**
	 * The class map of a tiled run as a new 32-bit image: per pixel the probability of the explained class
	 * (for target top: of each window's own top class), windows blended with the map's weights; null for
	 * other geometries. Shown in 0..1 with the sequential colour table and a colour bar in its overlay, so
	 * that 0.5 reads the same on every image.
	 */
	public ImagePlus classMapImage() {
		if (classMap == null) return null;
		ImageStack stack = new ImageStack(width, height);
		int plane = width * height;
		for (int f = 0; f < frames(); f++) {
			stack.addSlice("p(" + targetName(f) + ")", new FloatProcessor(width, height, java.util.Arrays.copyOfRange(classMap,
				f * plane, (f + 1) * plane)));
		}
		ImagePlus imp = new ImagePlus("Class map of " + source.getTitle(), stack);
		imp.setDimensions(1, source.getNSlices(), source.getNFrames());
		imp.setCalibration(source.getCalibration().copy());
		Heatmaps.showIn(imp, new DisplayRange(0, 1, false));
		return imp;
	}

	/**
	 * For a tiled run with target top: each pixel's class index, that of the window whose middle is
	 * nearest (16-bit; class names in the slice labels); null otherwise.
	 */
	public ImagePlus labelImage() {
		if (labels == null) return null;
		ImageStack stack = new ImageStack(width, height);
		int plane = width * height;
		StringBuilder names = new StringBuilder();
		for (int c = 0; c < model.numClasses(); c++) names.append(c == 0 ? "" : ", ").append(c).append(" = ").append(model
			.className(c));
		for (int f = 0; f < frames(); f++) stack.addSlice("top class: " + names, new ij.process.ShortProcessor(width,
			height, java.util.Arrays.copyOfRange(labels, f * plane, (f + 1) * plane), null));
		ImagePlus imp = new ImagePlus("Top class of " + source.getTitle(), stack);
		imp.setDimensions(1, source.getNSlices(), source.getNFrames());
		imp.setCalibration(source.getCalibration().copy());
		imp.setDisplayRange(0, Math.max(1, model.numClasses() - 1));
		return imp;
	}

	/**
	 * Sentences about the run the user should read: grey copied into a colour model, colour averaged into
	 * a grey one, a narrow range under unit scaling, an upsampled tiny image, a regression head.
	 */
	public List<String> notes() { return notes; }

	public ClassifierModel model() { return model; }

	public ExplainOptions options() { return options; }

	/** Slices times time points of the source. */
	public int frames() { return source.getNSlices() * source.getNFrames(); }

	public int channels() { return channels; }

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
			for (int c = 0; c < channels(); c++) stack.addSlice(frameLabel(f), new FloatProcessor(width, height, map(f, c)));
		}
		ImagePlus imp = new ImagePlus(options.method().title() + " of " + source.getTitle(), stack);
		imp.setDimensions(channels(), source.getNSlices(), source.getNFrames());
		if (channels() > 1 || source.getNSlices() > 1 || source.getNFrames() > 1) imp.setOpenAsHyperStack(true);
		ij.measure.Calibration calibration = source.getCalibration().copy();
		calibration.pixelWidth *= (double) source.getWidth() / width;
		calibration.pixelHeight *= (double) source.getHeight() / height;
		imp.setCalibration(calibration);
		imp.setProperty("Info", info());
		Heatmaps.showIn(imp, sharedRange());
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

	/** On the frame's z and t, over all channels (the map explains them together). */
	private Roi onSlice(Roi roi, int frame) {
		if (frames() > 1) {
			if (source.isHyperStack() || source.getNChannels() > 1) roi.setPosition(0, z(frame), t(frame));
			else roi.setPosition(frame + 1);
		}
		return roi;
	}

	private int z(int frame) {
		return frame % source.getNSlices() + 1;
	}

	private int t(int frame) {
		return frame / source.getNSlices() + 1;
	}

	public String roiName(int frame) {
		return Heatmaps.PREFIX + options.method().name() + " " + targetName(frame);
	}

	/** The class explained in frame f (its first row's), or "top" where each ROI or window has its own. */
	private String targetName(int frame) {
		Row first = rows.stream().filter(r -> r.frame() == frame).findFirst().orElse(null);
		if (first == null || first.target() < 0) return "top";
		boolean same = rows.stream().filter(r -> r.frame() == frame).allMatch(r -> r.target() == first.target());
		return same ? model.className(first.target()) : "top";
	}

	/**
	 * Row i as text, e.g. "infected: logit 7.213; predicted infected, p=0.9999; completeness-gap 0.0121",
	 * after its region; a tiled frame's row summarises its windows.
	 */
	public String label(int row) {
		Row r = rows.get(row);
		String region = r.region().isEmpty() ? "" : r.region() + ": ";
		if (r.windows() > 0) return region + tileSummary(r) + diagnostics(r);
		if (model.isRegression()) return region + String.format(Locale.ROOT, "output %.4g (regression, no probability)", r
			.score()) + diagnostics(r);
		return region + String.format(Locale.ROOT, "%s: %s %.4g; predicted %s, p=%.4f", model.className(r.target()), options
			.score().cliName(), r.score(), model.className(r.predicted()), r.probability()) + diagnostics(r);
	}

	/** The labels of frame f's rows (one, or one per ROI), joined. */
	private String frameLabel(int frame) {
		StringBuilder s = new StringBuilder();
		for (int r = 0; r < rows.size(); r++) if (rows.get(r).frame() == frame) s.append(s.length() == 0 ? "" : " | ").append(
			label(r));
		return s.toString();
	}

	private String tileSummary(Row r) {
		StringBuilder s = new StringBuilder("top class");
		for (int c = 0; c < r.windowsByClass().length; c++) {
			if (r.windowsByClass()[c] > 0) s.append(s.length() > 9 ? ", " : " ").append(model.className(c)).append(" in ")
				.append(r.windowsByClass()[c]);
		}
		String explained = r.target() < 0 ? "its top class" : model.className(r.target());
		return s + String.format(Locale.ROOT, " of %d windows; largest p(%s) %.4f at window (%d, %d)", r.windows(),
			explained, r.probability(), r.at()[0], r.at()[1]);
	}

	private static String diagnostics(Row r) {
		StringBuilder s = new StringBuilder();
		// counts (the steps adaptive IG used) read as whole numbers, measured gaps with four digits
		r.diagnostics().forEach((name, v) -> s.append(v == Math.rint(v) && Math.abs(v) < 1e7 ? String.format(Locale.ROOT,
			"; %s %d", name, (long) (float) v) : String.format(Locale.ROOT, "; %s %.4g", name, v)));
		return s.toString();
	}

	/**
	 * One row per {@link #rows()} entry: image, slice and its label (with the chosen channels and the frame's z
	 * and t where the image has several), region (ROI or tiles), method, target, score, prediction (a tiled
	 * frame: window counts per class and the largest probability), the method's diagnostics, its parameters
	 * (name = value) and the run's notes. A column that does not apply to a row (another method's
	 * diagnostic or parameter, a regression's probability) stays empty rather than showing 0.
	 */
	public void addRows(ResultsTable table, String imageTitle) {
		table.setNaNEmptyCells(true);
		for (Row r : rows) {
			table.incrementCounter();
			table.addValue("Image", imageTitle);
			table.addValue("Slice", r.frame() + 1);
			table.addValue("Slice label", sliceLabel(r.frame()));
			if (source.getNChannels() > 1) table.addValue("Channels", channelText);
			if (source.getNSlices() > 1) table.addValue("Z", z(r.frame()));
			if (source.getNFrames() > 1) table.addValue("T", t(r.frame()));
			if (!r.region().isEmpty()) table.addValue("Region", r.region());
			table.addValue("Method", options.method().name());
			table.addValue("Target", r.target() < 0 ? "top" : model.className(r.target()));
			if (r.windows() == 0) table.addValue("Score (" + options.score().cliName() + ")", r.score());
			table.addValue("Predicted", model.className(r.predicted()));
			if (r.windows() > 0) {
				table.addValue("Windows", r.windows());
				for (int c = 0; c < r.windowsByClass().length; c++) table.addValue("Windows " + model.className(c), r
					.windowsByClass()[c]);
				table.addValue("Max probability", r.probability());
			}
			else if (!model.isRegression()) table.addValue("Probability", r.probability());
			r.diagnostics().forEach(table::addValue);
			options.settings().values().forEach(table::addValue);
			if (!model.auditFindings().isEmpty()) table.addValue("Trusted model", ModelAudit.trustNote(model));
		}
		// what the user must know about the run (a large image fitted whole, a selection used or not) on its rows
		if (!notes.isEmpty()) for (int i = table.size() - rows.size(); i < table.size(); i++) table.setValue("Notes", i,
			String.join(" ", notes));
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
		int index = source.isHyperStack() || source.getNChannels() > 1 ? source.getStackIndex(1, z(frame), t(frame)) :
			frame + 1;
		String label = source.getStack().getSliceLabel(index);
		return label == null ? "" : label.lines().findFirst().orElse("");
	}

	private String info() {
		return Heatmaps.PREFIX + options.method().name() + "\nmodel=" + model.path() + "\ntarget=" + options.target() +
			"\nscore=" + options.score().cliName() + "\nscale=" + options.effectiveScaling(model).cliName() + (source
				.getNChannels() > 1 ? "\nchannels=" + channelText : "") + "\nreduce=" + options.effectiveReduction().cliName() + "\n" + (model.auditFindings().isEmpty() ? "" : ModelAudit.trustNote(
				model) + "\n");
	}
}

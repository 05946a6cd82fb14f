package org.explainj.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.image.ImageFrames;
import org.explainj.image.Tiling;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;

import ij.ImagePlus;

/**
 * Geometry tile: sliding windows, one row of windows at a time and at most {@link #WINDOW_VALUES} input
 * values per chunk, explained by the same {@link Explainer} as whole images (the windows are just more
 * images in a batch) and blended into an image-size map and class map as they come, so that memory
 * grows with the image, not with the number of windows. One summary row per frame.
 */
final class TiledRun {

	/** Input values (windows x model input) converted and explained per chunk. */
	static final int WINDOW_VALUES = 1 << 22;

	private TiledRun() {}

	static ExplainResult run(ImagePlus image, ExplainOptions options, ClassifierModel model, InputBatch reference,
		List<String> notes, Explainer.Progress progress)
	{
		ExplainJob.refuseLayerResolution(options);
		Geometry g = options.geometry();
		if ((model.width() <= 0 || model.height() <= 0) && g.window() == 0) throw new ExplainException("The model takes " +
			"images of any size, so there is no default tiling window.", "Give the window in image pixels (window=PX, " +
				"--window PX).");
		int mw = model.width() > 0 ? model.width() : g.window(), mh = model.height() > 0 ? model.height() : g.window();
		// a window keeps the input's aspect ratio: its width is the given size
		int windowWidth = g.window(mw), windowHeight = g.window() > 0 ? Math.max(1, Math.round((float) g.window() * mh / mw))
			: mh;
		int strideX = g.stride(mw), strideY = g.stride() > 0 ? Math.max(1, Math.round((float) g.stride() * mh / mw)) : Math
			.max(1, windowHeight / 2);
		ImageFrames frames = ImageFrames.of(image, options.channels());
		int width = image.getWidth(), height = image.getHeight(), plane = width * height, count = frames.count();
		Tiling.Grid grid = Tiling.Grid.of(width, height, windowWidth, windowHeight, strideX, strideY);
		ExplainJob.upsampled("Each tiling window", windowWidth, windowHeight, model).ifPresent(notes::add);
		int nx = grid.xs().length, ny = grid.ys().length;
		int chunk = Math.max(1, Math.min(nx, Math.max(options.batchSize(), WINDOW_VALUES / (mh * mw * model.channels()))));
		boolean top = options.target().unit().isEmpty() && options.target().text().trim().equalsIgnoreCase("top");
		Explainer explainer = new Explainer(model);
		float[] maps = null;
		float[] classMap = new float[count * plane];
		short[] labels = top ? new short[count * plane] : null;
		int[] nearestX = grid.nearestX(), nearestY = grid.nearestY();
		int channels = 0, done = 0, total = count * grid.count();
		List<ExplainResult.Row> rows = new java.util.ArrayList<>();
		progress.update(0, total);
		for (int f = 0; f < count; f++) {
			double[] range = Tiling.range(frames, f, options.effectiveScaling(model));
			Summary summary = new Summary(model.numClasses());
			for (int row = 0; row < ny; row++) {
				short[] rowLabels = new short[nx];
				for (int first = 0; first < nx; first += chunk) {
					int m = Math.min(chunk, nx - first);
					InputBatch batch = Tiling.shared().windows(frames, f, grid, row, first, m, model, range);
					Explanation e = explainer.explain(options.method(), options.settings(), batch, reference, options.target(),
						options.score(), options.effectiveReduction(), options.batchSize(), (a, b) -> {});
					float[] values = new float[m];
					for (int i = 0; i < m; i++) {
						int explained = e.targets()[i] >= 0 && e.targets()[i] < model.numClasses() ? e.targets()[i] : e
							.predicted()[i];
						values[i] = e.probabilities()[i][explained];
						rowLabels[first + i] = (short) e.predicted()[i];
						summary.add(e, i, values[i], grid.xs()[first + i], grid.ys()[row]);
					}
					if (maps == null) {
						channels = e.channels();
						maps = new float[count * channels * plane];
					}
					Tiling.shared().blend(e, values, grid, row, first, maps, f * channels * plane, classMap, f * plane);
					done += m;
					progress.update(done, total);
				}
				if (labels != null) fillLabels(labels, f * plane, width, height, row, rowLabels, nearestX, nearestY);
			}
			rows.add(summary.row(f, top ? -1 : summary.target, String.format(java.util.Locale.ROOT,
				"tiles of %d x %d pixels, stride %d x %d", windowWidth, windowHeight, strideX, strideY)));
			String prefix = "Tiles" + (count > 1 ? " of frame " + (f + 1) : "") + " (the windows counted as images, row by " +
				"row): ";
			summary.notes(options).forEach(note -> notes.add(prefix + note));
		}
		return new ExplainResult(image, model, options, null, maps, image.getWidth(), image
			.getHeight(), channels, rows, notes, classMap, labels, frames
			.channelText());
	}

	/** The rows of the image nearest to window row {@code row} take its windows' top classes, column by column. */
	private static void fillLabels(short[] labels, int offset, int width, int height, int row, short[] rowLabels,
		int[] nearestX, int[] nearestY)
	{
		short[] line = new short[width];
		for (int x = 0; x < width; x++) line[x] = rowLabels[nearestX[x]];
		for (int y = 0; y < height; y++) if (nearestY[y] == row) System.arraycopy(line, 0, labels, offset + y * width, width);
	}

	/** What the windows of one frame found: top classes, the largest probability of the explained class. */
	private static final class Summary {
		final int[] byClass;
		final Map<String, Double> diagnostics = new LinkedHashMap<>();
		// each window's diagnostics, for the method's notes over all windows of the frame at once
		final Map<String, List<Float>> perWindow = new LinkedHashMap<>();
		int windows, target = -1;
		float best = -1;
		int[] at = { 0, 0 };

		Summary(int classes) {
			byClass = new int[classes];
		}

		void add(Explanation e, int i, float value, int x, int y) {
			windows++;
			byClass[e.predicted()[i]]++;
			target = e.targets()[i];
			if (value > best) {
				best = value;
				at = new int[] { x, y };
			}
			e.diagnostics().forEach((name, v) -> {
				diagnostics.merge(name, (double) v[i], Double::sum);
				perWindow.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(v[i]);
			});
		}

		/**
		 * The method's notes read from every window's diagnostics together, so that a finding holding in
		 * many chunks is said once, with its count over the frame's windows.
		 */
		List<String> notes(ExplainOptions options) {
			Map<String, float[]> all = new LinkedHashMap<>();
			perWindow.forEach((name, values) -> {
				float[] v = new float[values.size()];
				for (int i = 0; i < v.length; i++) v[i] = values.get(i);
				all.put(name, v);
			});
			Explanation windowsOnly = new Explanation(options.method().name(), new float[0], windows, 0, 0, 0, new int[windows],
				new int[windows], new float[windows], new float[windows][], all);
			return options.method().notes(windowsOnly, options.settings());
		}

		ExplainResult.Row row(int frame, int explained, String region) {
			int predicted = 0;
			for (int c = 1; c < byClass.length; c++) if (byClass[c] > byClass[predicted]) predicted = c;
			Map<String, Float> means = new LinkedHashMap<>();
			diagnostics.forEach((name, sum) -> means.put(name, (float) (sum / windows)));
			return new ExplainResult.Row(frame, region, explained, predicted, Float.NaN, best, means, windows, byClass, at);
		}
	}
}

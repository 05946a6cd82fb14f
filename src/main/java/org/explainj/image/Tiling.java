package org.explainj.image;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TNumber;

/**
 * Sliding windows over an image, with TensorFlow ops in a small graph of its own. On the way in, one row
 * of windows at a time: the band of image rows they cover is fed at its pixel type, the windows are
 * gathered from it, resized to the model's input (antialiased triangle kernel, as {@link ImageGeometry}
 * fits a whole image), channel-mapped and scaled. On the way out, the windows' maps are resized back to
 * the window, weighted and summed into the band of an image-size mosaic. The weights are a tent (1 at a
 * window's edge, largest in its middle) in x times one in y, each divided by the sum of the tents of all
 * windows over that column or row: the windows form a grid, so these products sum to 1 at every pixel.
 */
public final class Tiling {

	/** The windows of one image: their size and stride in image pixels and where they start. */
	public record Grid(int width, int height, int windowWidth, int windowHeight, int[] xs, int[] ys) {

		/**
		 * Windows every stride pixels from the top left; the last of each row and column is flush with the
		 * image's border. A stride larger than the window, which would leave pixels between windows
		 * uncovered, is refused, so every pixel is covered.
		 */
		public static Grid of(int width, int height, int windowWidth, int windowHeight, int strideX, int strideY) {
			if (windowWidth > width || windowHeight > height) throw new ExplainException("The tiling window (" + windowWidth +
				" x " + windowHeight + " pixels) is larger than the image (" + width + " x " + height + ").",
				"Give a smaller window (window=PX, --window PX) or use geometry fit.");
			if (strideX > windowWidth || strideY > windowHeight) throw new ExplainException("The window stride (" + strideX +
				" x " + strideY + " pixels) is larger than the tiling window (" + windowWidth + " x " + windowHeight +
				"), so the pixels between windows would not be explained.", "Give window_stride (--window-stride PX) at " +
					"most the window, or 0 for half the window.");
			return new Grid(width, height, windowWidth, windowHeight, starts(width, windowWidth, strideX), starts(height,
				windowHeight, strideY));
		}

		private static int[] starts(int size, int window, int stride) {
			List<Integer> s = new ArrayList<>();
			for (int at = 0; at + window < size; at += stride) s.add(at);
			s.add(size - window);
			return s.stream().mapToInt(Integer::intValue).toArray();
		}

		public int count() {
			return xs.length * ys.length;
		}

		/** Blend weights along x: [window i][column t of the window]; they sum to 1 over the windows at each column. */
		public float[][] weightsX() {
			return normalisedTents(xs, windowWidth, width);
		}

		/** The same along y: [window row j][row t of the window]. */
		public float[][] weightsY() {
			return normalisedTents(ys, windowHeight, height);
		}

		private static float[][] normalisedTents(int[] starts, int window, int size) {
			double[] total = new double[size];
			for (int s : starts) for (int t = 0; t < window; t++) total[s + t] += tent(t, window);
			float[][] w = new float[starts.length][window];
			for (int i = 0; i < starts.length; i++) {
				for (int t = 0; t < window; t++) w[i][t] = (float) (tent(t, window) / total[starts[i] + t]);
			}
			return w;
		}

		/** 1 at the window's edges, (window + 1) / 2 in its middle: never 0, so a border pixel has weight. */
		private static double tent(int t, int window) {
			return Math.min(t + 1, window - t);
		}

		/**
		 * For each column, the window (index into xs) whose weight there is largest: the window whose middle
		 * is nearest.
		 */
		public int[] nearestX() {
			return nearest(weightsX(), xs, width);
		}

		public int[] nearestY() {
			return nearest(weightsY(), ys, height);
		}

		private static int[] nearest(float[][] w, int[] starts, int size) {
			int[] best = new int[size];
			float[] top = new float[size];
			for (int i = 0; i < starts.length; i++) {
				for (int t = 0; t < w[i].length; t++) {
					if (w[i][t] > top[starts[i] + t]) {
						top[starts[i] + t] = w[i][t];
						best[starts[i] + t] = i;
					}
				}
			}
			return best;
		}
	}

	private static Tiling shared;

	private final Session session;
	private final Map<DataType, Placeholder<?>> bands = new HashMap<>();
	private final Map<DataType, Operand<TFloat32>> windowsByType = new HashMap<>();
	private final Map<DataType, Operand<TBool>> finiteByType = new HashMap<>();
	private final Placeholder<TFloat32> table;
	private final Placeholder<TInt32> starts;
	private final Placeholder<TInt32> modelSize;
	private final Placeholder<TFloat32> mixing;
	private final Placeholder<TFloat32> low;
	private final Placeholder<TFloat32> high;
	// every type's resized windows [m, h, w, C]: fed with the gathered windows themselves when no resize is needed
	private final Map<DataType, PlaceholderWithDefault<TFloat32>> resizedByType = new HashMap<>();
	private final Map<DataType, Operand<TFloat32>> gatheredByType = new HashMap<>();
	// out
	private final Placeholder<TFloat32> maps;
	private final Placeholder<TFloat32> values;
	private final Placeholder<TInt32> windowSize;
	private final PlaceholderWithDefault<TFloat32> mapsAtWindow;
	private final Placeholder<TFloat32> weightsX;
	private final Placeholder<TFloat32> weightsY;
	private final Placeholder<TInt32> offsets;
	private final Placeholder<TInt32> span;
	private final Operand<TFloat32> bandSum;

	private Tiling() {
		Graph graph = new Graph();
		Ops tf = Ops.create(graph);
		table = tf.placeholder(TFloat32.class);
		starts = tf.placeholder(TInt32.class);
		modelSize = tf.placeholder(TInt32.class);
		mixing = tf.placeholder(TFloat32.class);
		low = tf.placeholder(TFloat32.class);
		high = tf.placeholder(TFloat32.class);
		windowSize = tf.placeholder(TInt32.class);
		for (Class<? extends TNumber> type : List.of(TUint8.class, TUint16.class, TFloat32.class, TInt32.class)) {
			Placeholder<? extends TNumber> band = tf.placeholder(type);
			Operand<TFloat32> planes; // [C, rows, width]
			if (type == TInt32.class) {
				// packed RGB: red in bits 16-23, green 8-15, blue 0-7
				Operand<TInt32> packed = tf.dtypes.cast(band, TInt32.class);
				List<Operand<TFloat32>> rgb = new ArrayList<>();
				for (int shift : new int[] { 16, 8, 0 }) rgb.add(tf.dtypes.cast(tf.bitwise.bitwiseAnd(tf.bitwise.rightShift(packed,
					tf.constant(shift)), tf.constant(255)), TFloat32.class));
				planes = tf.stack(rgb);
			}
			else if (type == TFloat32.class) planes = tf.dtypes.cast(band, TFloat32.class);
			else planes = tf.gather(table, tf.dtypes.cast(band, TInt32.class), tf.constant(0));
			Operand<TFloat32> hwc = tf.linalg.transpose(planes, tf.constant(new int[] { 1, 2, 0 }));
			// column index of every window's every column: [m, window width]
			Operand<TInt32> width = tf.gather(windowSize, tf.constant(1), tf.constant(0));
			Operand<TInt32> columns = tf.math.add(tf.expandDims(starts, tf.constant(1)), tf.expandDims(tf.range(tf.constant(0),
				width, tf.constant(1)), tf.constant(0)));
			// [rows, m, ww, C] -> [m, rows, ww, C]
			Operand<TFloat32> gathered = tf.linalg.transpose(tf.gather(hwc, columns, tf.constant(1)), tf.constant(new int[] { 1,
				0, 2, 3 }));
			PlaceholderWithDefault<TFloat32> resized = tf.placeholderWithDefault(ImageGeometry.resize(tf, gathered,
				windowSize, modelSize, modelSize, tf.constant(new float[] { 0, 0 })), Shape.unknown());
			DataType key = band.asOutput().dataType();
			bands.put(key, band);
			gatheredByType.put(key, gathered);
			resizedByType.put(key, resized);
			// mixed and scaled as the whole-image fit does
			windowsByType.put(key, ImageGeometry.mixedAndScaled(tf, resized, 4, mixing, low, high));
			finiteByType.put(key, tf.reduceAll(tf.math.isFinite(gathered), tf.constant(new int[] { 0, 1, 2, 3 })));
		}

		maps = tf.placeholder(TFloat32.class);
		values = tf.placeholder(TFloat32.class);
		weightsX = tf.placeholder(TFloat32.class);
		weightsY = tf.placeholder(TFloat32.class);
		offsets = tf.placeholder(TInt32.class);
		span = tf.placeholder(TInt32.class);
		Operand<TInt32> mapSize = tf.gather(tf.shape(maps), tf.constant(new int[] { 1, 2 }), tf.constant(0));
		mapsAtWindow = tf.placeholderWithDefault(ImageGeometry.resize(tf, maps, mapSize, windowSize, windowSize, tf.constant(
			new float[] { 0, 0 })), Shape.unknown());
		// the windows' maps and, as one more channel, each window's value (its class probability): [m, wh, ww, k + 1]
		Operand<TFloat32> ones = tf.onesLike(tf.slice(mapsAtWindow, tf.constant(new int[] { 0, 0, 0, 0 }), tf.constant(
			new int[] { -1, -1, -1, 1 })));
		Operand<TFloat32> valuePlane = tf.math.mul(ones, tf.reshape(values, tf.constant(new int[] { -1, 1, 1, 1 })));
		Operand<TFloat32> all = tf.concat(List.of(mapsAtWindow, valuePlane), tf.constant(3));
		Operand<TFloat32> weighted = tf.math.mul(all, tf.math.mul(tf.reshape(weightsY, tf.constant(new int[] { 1, -1, 1,
			1 })), tf.expandDims(tf.expandDims(weightsX, tf.constant(1)), tf.constant(3))));
		// where each window pixel lands in the band [wh, span]: row * span + offset + column
		Operand<TInt32> wh = tf.gather(windowSize, tf.constant(0), tf.constant(0));
		Operand<TInt32> ww = tf.gather(windowSize, tf.constant(1), tf.constant(0));
		Operand<TInt32> rowStarts = tf.reshape(tf.math.mul(tf.range(tf.constant(0), wh, tf.constant(1)), span), tf.constant(
			new int[] { 1, -1, 1 }));
		Operand<TInt32> cols = tf.math.add(tf.reshape(offsets, tf.constant(new int[] { -1, 1, 1 })), tf.reshape(tf.range(tf
			.constant(0), ww, tf.constant(1)), tf.constant(new int[] { 1, 1, -1 })));
		Operand<TInt32> ids = tf.reshape(tf.math.add(rowStarts, cols), tf.constant(new int[] { -1 }));
		Operand<TInt32> channels = tf.gather(tf.shape(all), tf.constant(3), tf.constant(0));
		Operand<TFloat32> summed = tf.math.unsortedSegmentSum(tf.reshape(weighted, tf.stack(List.of(tf.constant(-1),
			channels))), ids, tf.math.mul(wh, span));
		// planar [k + 1, wh, span]
		bandSum = tf.linalg.transpose(summed, tf.constant(new int[] { 1, 0 }));
		session = org.explainj.model.Threads.session(graph);
	}

	public static synchronized Tiling shared() {
		if (shared == null) shared = new Tiling();
		return shared;
	}

	/** Frame i's intensity range, over the whole frame (not per window), as the scaling asks. */
	public static double[] range(ImageFrames frames, int frame, IntensityScaling scaling) {
		return scaling.range(c -> frames.plane(frame, c), frames.channels(), frames.typeMax());
	}

	/**
	 * Windows {@code first .. first + count - 1} of window row {@code row} of frame i, at the model's
	 * input.
	 */
	public synchronized InputBatch windows(ImageFrames frames, int frame, Grid grid, int row, int first, int count,
		ClassifierModel model, double[] range)
	{
		// a model that takes any size gets the windows as they are
		int h = model.height() > 0 ? model.height() : grid.windowHeight(), w = model.width() > 0 ? model.width() : grid
			.windowWidth(), c = model.channels();
		float[][] m = bandMixing(frames, ChannelMapping.of(frames, model).matrix());
		int[] at = java.util.Arrays.copyOfRange(grid.xs(), first, first + count);
		float[] valueTable = frames.valueTable();
		try (Tensor band = frames.band(frame, grid.ys()[row], grid.windowHeight());
			TFloat32 lookup = TFloat32.vectorOf(valueTable == null ? new float[1] : valueTable);
			TInt32 xs = TInt32.vectorOf(at); TInt32 size = TInt32.vectorOf(h, w);
			TInt32 window = TInt32.vectorOf(grid.windowHeight(), grid.windowWidth());
			TFloat32 mix = TFloat32.tensorOf(StdArrays.ndCopyOf(m));
			TFloat32 lo = TFloat32.scalarOf((float) range[0]); TFloat32 hi = TFloat32.scalarOf((float) range[1]))
		{
			DataType type = band.dataType();
			var runner = session.runner().feed(bands.get(type), band).feed(table, lookup).feed(starts, xs).feed(modelSize, size)
				.feed(windowSize, window).feed(mixing, mix).feed(low, lo).feed(high, hi);
			boolean resize = grid.windowHeight() != h || grid.windowWidth() != w;
			Tensor gathered = null;
			try {
				if (!resize) {
					gathered = session.runner().feed(bands.get(type), band).feed(table, lookup).feed(starts, xs).feed(windowSize,
						window).fetch(gatheredByType.get(type)).run().get(0);
					runner.feed(resizedByType.get(type), gathered);
				}
				try (Result r = runner.fetch(windowsByType.get(type)).fetch(finiteByType.get(type)).run()) {
					if (!((TBool) r.get(1)).getBoolean()) throw new ExplainException("The image has NaN or infinite pixels.",
						"Replace them first (Process > Math > Remove NaNs..., or crop them away).");
					float[] data = new float[count * h * w * c];
					((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(data);
					return new InputBatch(data, count, h, w, c);
				}
			}
			finally {
				if (gathered != null) gathered.close();
			}
		}
	}

	/**
	 * The channel mapping as rows of the band's planes: an RGB band holds all three colours, of which
	 * the unchosen ones get zero rows.
	 */
	private static float[][] bandMixing(ImageFrames frames, float[][] chosen) {
		if (!frames.rgb()) return chosen;
		float[][] rows = new float[3][chosen[0].length];
		for (int c = 0; c < frames.channels(); c++) rows[frames.selected()[c]] = chosen[c];
		return rows;
	}

	/**
	 * Adds the weighted maps of windows {@code first ..} of window row {@code row} (and each window's
	 * {@code value}, e.g. its class probability, as a constant map) into the image-size planes: {@code
	 * mosaic} planar [channels, height, width] of this frame starting at {@code mosaicOffset}, {@code
	 * valueMap} [height, width] at {@code valueOffset}.
	 */
	public synchronized void blend(Explanation e, float[] windowValues, Grid grid, int row, int first, float[] mosaic,
		int mosaicOffset, float[] valueMap, int valueOffset)
	{
		int count = e.n(), k = e.channels(), wh = grid.windowHeight(), ww = grid.windowWidth();
		int x0 = grid.xs()[first], spanWidth = grid.xs()[first + count - 1] + ww - x0;
		float[][] wx = grid.weightsX();
		float[] weightsOfChunk = new float[count * ww];
		int[] rel = new int[count];
		for (int j = 0; j < count; j++) {
			System.arraycopy(wx[first + j], 0, weightsOfChunk, j * ww, ww);
			rel[j] = grid.xs()[first + j] - x0;
		}
		try (TFloat32 in = TFloat32.tensorOf(Shape.of(count, e.height(), e.width(), k), DataBuffers.of(e.maps(), true,
				false));
			TFloat32 v = TFloat32.vectorOf(windowValues);
			TFloat32 fx = TFloat32.tensorOf(Shape.of(count, ww), DataBuffers.of(weightsOfChunk, true, false));
			TFloat32 fy = TFloat32.vectorOf(grid.weightsY()[row]);
			TInt32 off = TInt32.vectorOf(rel); TInt32 sp = TInt32.scalarOf(spanWidth);
			TInt32 window = TInt32.vectorOf(wh, ww))
		{
			var runner = session.runner().feed(maps, in).feed(values, v).feed(weightsX, fx).feed(weightsY, fy).feed(offsets,
				off).feed(span, sp).feed(windowSize, window);
			if (e.height() == wh && e.width() == ww) runner.feed(mapsAtWindow, in);
			try (Result r = runner.fetch(bandSum).run()) {
				float[] sum = new float[(k + 1) * wh * spanWidth];
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(sum);
				int y0 = grid.ys()[row], plane = grid.width() * grid.height();
				// the band's sums added into the image-size planes, row by row
				for (int c = 0; c <= k; c++) {
					float[] target = c < k ? mosaic : valueMap;
					int base = c < k ? mosaicOffset + c * plane : valueOffset;
					for (int y = 0; y < wh; y++) {
						int to = base + (y0 + y) * grid.width() + x0, from = (c * wh + y) * spanWidth;
						for (int x = 0; x < spanWidth; x++) target[to + x] += sum[from + x];
					}
				}
			}
		}
	}
}

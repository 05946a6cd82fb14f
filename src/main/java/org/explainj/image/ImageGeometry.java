package org.explainj.image;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

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
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TNumber;

/**
 * Moves images between their own geometry and the model's with TensorFlow ops, in a small graph of its
 * own: antialiased resizing, channel mapping and intensity scaling on the way in (resizing first, one
 * channel plane at a time: all three are linear, and a huge image never needs a full float copy);
 * resizing of the maps back to the source image, in ImageJ's planar layout and in bands of rows, on the
 * way out.
 */
public final class ImageGeometry {

	/** Rows of the source geometry made per run on the way out (bounds the memory of huge images). */
	static final int BAND = 512;

	private static ImageGeometry shared;

	private final Session session;
	// in, per channel plane of the pixel type: [H,W] -> [h,w] floats
	private final Placeholder<TInt32> modelSize;
	private final java.util.Map<org.tensorflow.proto.DataType, PlaneResize> planeResizes = new java.util.HashMap<>();
	// in, the resized planes: planar [C,h,w] -> model input [1,h,w,c]
	private final Placeholder<TFloat32> planar;
	private final Placeholder<TFloat32> mixing;
	private final Placeholder<TFloat32> low;
	private final Placeholder<TFloat32> high;
	private final Operand<TFloat32> modelInput;
	private final Operand<TBool> allFinite;
	// out: maps [N,h,w,k] -> rows [first, first + band) of planar [N,k,H,W]
	private final Placeholder<TFloat32> maps;
	private final Placeholder<TInt32> bandSize;
	private final Placeholder<TInt32> sourceSize;
	private final Placeholder<TFloat32> firstRow;
	private final Operand<TFloat32> sourceBand;

	private ImageGeometry() {
		Graph graph = new Graph();
		Ops tf = Ops.create(graph);
		modelSize = tf.placeholder(TInt32.class);
		for (Class<? extends TNumber> type : java.util.List.of(TUint8.class, TUint16.class, TFloat32.class)) {
			Placeholder<? extends TNumber> plane = tf.placeholder(type);
			Operand<TFloat32> nhwc = tf.expandDims(tf.expandDims(tf.dtypes.cast(plane, TFloat32.class), tf.constant(0)), tf
				.constant(3));
			planeResizes.put(plane.asOutput().dataType(), new PlaneResize(plane, tf.squeeze(resize(tf, nhwc, tf.shape(plane), modelSize,
				modelSize, tf.constant(new float[] { 0, 0 })))));
		}

		planar = tf.placeholder(TFloat32.class);
		mixing = tf.placeholder(TFloat32.class);
		low = tf.placeholder(TFloat32.class);
		high = tf.placeholder(TFloat32.class);
		Operand<TFloat32> hwc = tf.linalg.transpose(planar, tf.constant(new int[] { 1, 2, 0 }));
		modelInput = tf.expandDims(mixedAndScaled(tf, hwc, 3, mixing, low, high), tf.constant(0));
		// resizing spreads a NaN or an infinity to its neighbours, so the resized planes show them too
		allFinite = tf.reduceAll(tf.math.isFinite(planar), tf.constant(new int[] { 0, 1, 2 }));

		maps = tf.placeholder(TFloat32.class);
		bandSize = tf.placeholder(TInt32.class);
		sourceSize = tf.placeholder(TInt32.class);
		firstRow = tf.placeholder(TFloat32.class);
		Operand<TInt32> mapSize = tf.gather(tf.shape(maps), tf.constant(new int[] { 1, 2 }), tf.constant(0));
		Operand<TFloat32> shift = tf.stack(java.util.List.of(tf.math.neg(firstRow), tf.constant(0f)));
		sourceBand = tf.linalg.transpose(resize(tf, maps, mapSize, sourceSize, bandSize, shift), tf.constant(new int[] {
			0, 3, 1, 2 }));
		session = org.explainj.model.Threads.session(graph);
	}

	private record PlaneResize(Placeholder<?> plane, Operand<TFloat32> resized) {}

	/**
	 * Triangle (bilinear) kernel with antialiasing, as tf.image.resize(antialias=True), from size
	 * {@code from} to {@code to}; {@code out} rows and columns of it are made, shifted by {@code shift}.
	 */
	static Operand<TFloat32> resize(Ops tf, Operand<TFloat32> nhwc, Operand<TInt32> from, Operand<TInt32> to,
		Operand<TInt32> out, Operand<TFloat32> shift)
	{
		Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(to, TFloat32.class), tf.dtypes.cast(from, TFloat32.class));
		return tf.image.scaleAndTranslate(nhwc, out, scale, shift, ScaleAndTranslate.kernelType("triangle"),
			ScaleAndTranslate.antialias(true));
	}

	/**
	 * Channels-last {@code x} of rank {@code rank} ([..., C]) mixed into the model's channels ({@code
	 * mixing} [C, c]: every output channel a weighted sum of the input channels) and scaled to (x - low) /
	 * (high - low).
	 */
	static Operand<TFloat32> mixedAndScaled(Ops tf, Operand<TFloat32> x, int rank, Operand<TFloat32> mixing,
		Operand<TFloat32> low, Operand<TFloat32> high)
	{
		Operand<TFloat32> mixed = tf.reduceSum(tf.math.mul(tf.expandDims(x, tf.constant(rank)), mixing), tf.constant(rank -
			1), ReduceSum.keepDims(false));
		return tf.math.div(tf.math.sub(mixed, low), tf.math.sub(high, low));
	}

	public static synchronized ImageGeometry shared() {
		if (shared == null) shared = new ImageGeometry();
		return shared;
	}

	/**
	 * All frames scaled, channel-mapped and resized to the model's input (frames keep their size where the
	 * model accepts any).
	 */
	public synchronized InputBatch toModelInput(ImageFrames frames, ClassifierModel model, IntensityScaling scaling) {
		int h = model.height() > 0 ? model.height() : frames.height();
		int w = model.width() > 0 ? model.width() : frames.width();
		int c = model.channels(), channels = frames.channels();
		float[][] m = ChannelMapping.of(frames, model).matrix();
		float[] data = new float[frames.count() * h * w * c];
		for (int i = 0; i < frames.count(); i++) {
			int frame = i;
			double[] range = scaling.range(ch -> frames.plane(frame, ch), channels, frames.typeMax());
			float[] resized = new float[channels * h * w];
			for (int ch = 0; ch < channels; ch++) {
				if (frames.height() == h && frames.width() == w) System.arraycopy(frames.plane(i, ch), 0, resized, ch * h * w,
					h * w);
				else resize(frames.planeTensor(i, ch), h, w, resized, ch * h * w);
			}
			try (TFloat32 p = TFloat32.tensorOf(Shape.of(channels, h, w), DataBuffers.of(resized, true, false));
				TFloat32 mix = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(m));
				TFloat32 lo = TFloat32.scalarOf((float) range[0]);
				TFloat32 hi = TFloat32.scalarOf((float) range[1]);
				Result r = session.runner().feed(planar, p).feed(mixing, mix).feed(low, lo).feed(high, hi).fetch(
					modelInput).fetch(allFinite).run())
			{
				// NaN or infinity would flow through the network into a NaN score and a map that hides it
				if (!((TBool) r.get(1)).getBoolean()) throw new ExplainException((frames.count() > 1 ? "Slice " + (i + 1) +
					" of the image" : "The image") + " has NaN or infinite pixels.",
					"Replace them first (Process > Math > Remove NaNs..., or crop them away).");
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(data, i * h * w * c, h * w * c);
			}
		}
		return new InputBatch(data, frames.count(), h, w, c);
	}

	/**
	 * What the user should know about how the frames become the model's input: grey copied into a colour
	 * model's channels, colour averaged into a grey model's, an integer image that fills only a sliver of
	 * its type's range under unit scaling. From the stages that do it ({@link ChannelMapping},
	 * {@link IntensityScaling}); throws where the channels cannot be mapped at all.
	 */
	public static List<String> notes(ImageFrames frames, ClassifierModel model, IntensityScaling scaling) {
		return Stream.of(ChannelMapping.of(frames, model).note(), scaling.note(frames)).flatMap(Optional::stream).toList();
	}

	/** One plane (closed here) resized to h x w, written into {@code out} at {@code offset}. */
	private void resize(Tensor plane, int h, int w, float[] out, int offset) {
		PlaneResize ops = planeResizes.get(plane.dataType());
		try (plane; TInt32 size = TInt32.vectorOf(h, w);
			Result r = session.runner().feed(ops.plane(), plane).feed(modelSize, size).fetch(ops.resized()).run())
		{
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out, offset, h * w);
		}
	}

	/** The maps resized to width x height, as planar [n, channels, height, width]. */
	public synchronized float[] toSource(Explanation e, int width, int height) {
		int planes = e.n() * e.channels();
		float[] out = new float[planes * width * height];
		try (TFloat32 in = TFloat32.tensorOf(Shape.of(e.n(), e.height(), e.width(), e.channels()),
				DataBuffers.of(e.maps(), true, false));
			TInt32 size = TInt32.vectorOf(height, width))
		{
			for (int first = 0; first < height; first += BAND) {
				int rows = Math.min(BAND, height - first);
				try (TInt32 band = TInt32.vectorOf(rows, width);
					TFloat32 shift = TFloat32.scalarOf(first);
					Result r = session.runner().feed(maps, in).feed(sourceSize, size).feed(bandSize, band).feed(firstRow,
						shift).fetch(sourceBand).run())
				{
					var values = ((TFloat32) r.get(0)).asRawTensor().data().asFloats();
					for (int p = 0; p < planes; p++) values.slice((long) p * rows * width, (long) rows * width).read(out,
						p * width * height + first * width, rows * width);
				}
			}
		}
		return out;
	}
}

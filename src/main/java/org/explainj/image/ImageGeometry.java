package org.explainj.image;

import org.explainj.ExplainException;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;

/**
 * Moves images between their own geometry and the model's with TensorFlow ops, in a small graph of its
 * own: intensity scaling, channel mapping and antialiased resizing on the way in; resizing of the maps
 * back to the source image, in ImageJ's planar layout, on the way out.
 */
public final class ImageGeometry {

	private static ImageGeometry shared;

	private final Session session;
	// in: planar [C,H,W] -> model input [1,h,w,c]
	private final Placeholder<TFloat32> planar;
	private final Placeholder<TFloat32> mixing;
	private final Placeholder<TFloat32> low;
	private final Placeholder<TFloat32> high;
	private final Placeholder<TInt32> modelSize;
	private final Operand<TFloat32> modelInput;
	private final Operand<TBool> allFinite;
	// out: maps [N,h,w,k] -> planar [N,k,H,W]
	private final Placeholder<TFloat32> maps;
	private final Placeholder<TInt32> sourceSize;
	private final Operand<TFloat32> sourceMaps;

	private ImageGeometry() {
		Graph graph = new Graph();
		Ops tf = Ops.create(graph);
		planar = tf.placeholder(TFloat32.class);
		mixing = tf.placeholder(TFloat32.class);
		low = tf.placeholder(TFloat32.class);
		high = tf.placeholder(TFloat32.class);
		modelSize = tf.placeholder(TInt32.class);
		Operand<TFloat32> hwc1 = tf.expandDims(tf.linalg.transpose(planar, tf.constant(new int[] { 1, 2, 0 })),
			tf.constant(3));
		// [H,W,C,1] * [C,c] summed over C: every output channel a weighted sum of the input channels
		Operand<TFloat32> mixed = tf.reduceSum(tf.math.mul(hwc1, mixing), tf.constant(2), ReduceSum.keepDims(false));
		Operand<TFloat32> scaled = tf.math.div(tf.math.sub(mixed, low), tf.math.sub(high, low));
		Operand<TInt32> planarSize = tf.gather(tf.shape(planar), tf.constant(new int[] { 1, 2 }), tf.constant(0));
		modelInput = resize(tf, tf.expandDims(scaled, tf.constant(0)), planarSize, modelSize);
		allFinite = tf.reduceAll(tf.math.isFinite(planar), tf.constant(new int[] { 0, 1, 2 }));

		maps = tf.placeholder(TFloat32.class);
		sourceSize = tf.placeholder(TInt32.class);
		Operand<TInt32> mapSize = tf.gather(tf.shape(maps), tf.constant(new int[] { 1, 2 }), tf.constant(0));
		sourceMaps = tf.linalg.transpose(resize(tf, maps, mapSize, sourceSize), tf.constant(new int[] { 0, 3, 1, 2 }));
		session = new Session(graph);
	}

	/** Triangle (bilinear) kernel with antialiasing, as tf.image.resize(antialias=True). */
	private static Operand<TFloat32> resize(Ops tf, Operand<TFloat32> nhwc, Operand<TInt32> from, Operand<TInt32> to) {
		Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(to, TFloat32.class), tf.dtypes.cast(from, TFloat32.class));
		return tf.image.scaleAndTranslate(nhwc, to, scale, tf.constant(new float[] { 0, 0 }),
			ScaleAndTranslate.kernelType("triangle"), ScaleAndTranslate.antialias(true));
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
		int c = model.channels();
		float[][] m = ChannelMapping.matrix(frames.channels(), c, frames.rgb());
		float[] data = new float[frames.count() * h * w * c];
		for (int i = 0; i < frames.count(); i++) {
			float[] pixels = frames.planar(i);
			double[] range = scaling.range(pixels, frames.typeMax());
			try (TFloat32 p = TFloat32.tensorOf(Shape.of(frames.channels(), frames.height(), frames.width()),
					DataBuffers.of(pixels, true, false));
				TFloat32 mix = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(m));
				TFloat32 lo = TFloat32.scalarOf((float) range[0]);
				TFloat32 hi = TFloat32.scalarOf((float) range[1]);
				TInt32 size = TInt32.vectorOf(h, w);
				Result r = session.runner().feed(planar, p).feed(mixing, mix).feed(low, lo).feed(high, hi)
					.feed(modelSize, size).fetch(modelInput).fetch(allFinite).run())
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

	/** The maps resized to width x height, as planar [n, channels, height, width]. */
	public synchronized float[] toSource(Explanation e, int width, int height) {
		float[] out = new float[e.n() * e.channels() * width * height];
		try (TFloat32 in = TFloat32.tensorOf(Shape.of(e.n(), e.height(), e.width(), e.channels()),
				DataBuffers.of(e.maps(), true, false));
			TInt32 size = TInt32.vectorOf(height, width);
			Result r = session.runner().feed(maps, in).feed(sourceSize, size).fetch(sourceMaps).run())
		{
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
		}
		return out;
	}
}

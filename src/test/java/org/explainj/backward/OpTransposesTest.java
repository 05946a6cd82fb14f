package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

import org.explainj.TestData;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Each op of the backward engine's table in a tiny frozen network (input [N,4,4,2], the op, a dense
 * layer to 3 logits): the explicit walk with gradient rules against central finite differences of a
 * logit along random directions.
 */
class OpTransposesTest {

	@TempDir
	Path tmp;

	private static Operand<TFloat32> body(Ops tf, String op, Operand<TFloat32> x) {
		Operand<TFloat32> one = tf.constant(1f);
		return switch (op) {
			case "softplus" -> tf.math.softplus(x);
			case "erf" -> tf.math.erf(x);
			case "erfc" -> tf.math.erfc(x);
			case "sqrt-exp-reciprocal-square" -> tf.math.add(tf.math.sqrt(tf.math.exp(x)), tf.math.reciprocal(tf.math.add(one,
				tf.math.square(x))));
			case "pow" -> tf.math.pow(x, tf.constant(3f));
			case "quotient" -> tf.math.realDiv(x, tf.math.add(one, tf.math.mul(x, x)));
			case "resize-bilinear" -> tf.image.resizeBilinear(x, tf.constant(new int[] { 7, 7 }));
			case "resize-nearest" -> tf.image.resizeNearestNeighbor(x, tf.constant(new int[] { 8, 8 }));
			case "transpose" -> tf.math.mul(tf.linalg.transpose(x, tf.constant(new int[] { 0, 2, 1, 3 })), tf.constant(
				new float[][][] { { { 1f, 2f } }, { { -1f, 0.5f } }, { { 3f, 1f } }, { { 0.2f, -2f } } }));
			case "tile-slice" -> tf.stridedSlice(tf.tile(x, tf.constant(new int[] { 1, 2, 1, 1 })), tf.constant(new int[] { 0,
				1, 0, 0 }), tf.constant(new int[] { 0, 7, 3, 0 }), tf.constant(new int[] { 1, 1, 1, 1 }), org.tensorflow.op.core
					.StridedSlice.beginMask(9L), org.tensorflow.op.core.StridedSlice.endMask(9L));
			case "max-mean" -> tf.math.add(tf.max(x, tf.constant(new int[] { 1, 2 })), tf.math.mean(tf.math.square(x), tf
				.constant(new int[] { 1, 2 })));
			case "gate" -> tf.math.mul(x, tf.math.sigmoid(tf.math.mean(x, tf.constant(new int[] { 1, 2 }), org.tensorflow.op
				.math.Mean.keepDims(true))));
			case "squared-difference" -> tf.math.squaredDifference(x, tf.math.mean(x, tf.constant(new int[] { 3 }),
				org.tensorflow.op.math.Mean.keepDims(true)));
			// a negative axis list (kept) and a scalar axis (dropped): the mean's transpose rebuilds the kept shape
			case "mean-axes" -> tf.math.add(tf.math.mean(tf.math.square(x), tf.constant(new int[] { -3, -2 }), org.tensorflow
				.op.math.Mean.keepDims(true)), tf.expandDims(tf.math.mean(x, tf.constant(-1)), tf.constant(-1)));
			case "neg-tanh" -> tf.math.mul(tf.math.neg(x), tf.math.tanh(x));
			// parts read in another order, one not at all: each signal must go back to its own slice
			case "split" -> {
				var parts = tf.split(tf.constant(2), x, 4L);
				yield tf.concat(List.of(tf.math.tanh(parts.output().get(3)), parts.output().get(1)), tf.constant(2));
			}
			case "split-v" -> {
				var parts = tf.splitV(x, tf.constant(new int[] { 1, 3 }), tf.constant(1), 2L);
				yield tf.math.tanh(parts.output().get(1));
			}
			case "unstack" -> {
				var parts = tf.unstack(x, 2L, org.tensorflow.op.core.Unstack.axis(3L));
				yield tf.stack(List.of(tf.math.square(parts.output().get(1)), parts.output().get(1)), org.tensorflow.op.core
					.Stack.axis(3L));
			}
			// a mean over axes the graph does not know the size of (a reshape to a fed shape): the transpose builds
			// its count and kept shape at run time
			case "mean-unknown-size" -> tf.math.mul(x, tf.math.mean(tf.math.square(tf.reshape(x, tf.placeholderWithDefault(tf
				.constant(new int[] { -1, 4, 4, 2 }), Shape.of(4)))), tf.constant(new int[] { 1, 2 }), org.tensorflow.op.math
					.Mean.keepDims(true)));
			// axes written as int64 (the engine's shape ops take int32; the registry's gradient crashed on them)
			case "mean-int64-axes" -> tf.math.mul(x, tf.math.mean(tf.math.square(x), tf.constant(new long[] { 1, 2 }),
				org.tensorflow.op.math.Mean.keepDims(true)));
			// a batch the graph knows, averaged with the spatial axes: the count includes it
			case "mean-over-fixed-batch" -> {
				var y = tf.reshape(x, tf.constant(new int[] { 2, 4, 4, 2 }));
				yield tf.math.mul(y, tf.math.mean(tf.math.square(y), tf.constant(new int[] { 0, 1, 2 }), org.tensorflow.op.math
					.Mean.keepDims(true)));
			}
			default -> throw new IllegalArgumentException(op);
		};
	}

	private Path network(String op) throws Exception {
		Path pb = tmp.resolve(op + ".pb");
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			var x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 2)));
			Operand<TFloat32> h = body(tf, op, x);
			Shape s = h.shape();
			int k = (int) (s.numDimensions() == 2 ? s.size(1) : s.size(1) * s.size(2) * s.size(3));
			float[][] w = new float[k][3];
			Random r = new Random(k);
			for (float[] row : w) for (int j = 0; j < 3; j++) row[j] = (float) r.nextGaussian();
			var logits = tf.linalg.matMul(tf.reshape(h, tf.constant(new int[] { -1, k })), tf.constant(w));
			tf.withName("probabilities").nn.softmax(logits);
			java.nio.file.Files.write(pb, g.toGraphDef().toByteArray());
		}
		return pb;
	}

	@SuppressWarnings("unchecked")
	@ParameterizedTest
	@ValueSource(strings = { "softplus", "erf", "erfc", "sqrt-exp-reciprocal-square", "pow", "quotient",
		"resize-bilinear", "resize-nearest", "transpose", "tile-slice", "max-mean", "mean-axes", "mean-unknown-size",
		"mean-int64-axes", "mean-over-fixed-batch", "gate", "squared-difference", "neg-tanh", "split", "split-v",
		"unstack" })
	void theWalkMatchesFiniteDifferences(String op) throws Exception {
		try (ClassifierModel m = ModelLoader.load(network(op))) {
			float[] x = TestData.randomImage(11, 2 * 32);
			for (int i = 0; i < x.length; i++) x[i] = 2 * x[i] - 1 + 0.01f * i; // distinct values: no ties in Max
			Placeholder<TFloat32>[] seed = new Placeholder[1];
			Operand<TFloat32> walk = m.ops("walk", tf -> {
				seed[0] = tf.placeholder(TFloat32.class);
				return new BackwardWalk(tf, m, t -> t, Composite.gradient(ReluRule.GRADIENT)).run(m.logits(), seed[0]);
			});
			// a mean's transpose builds its kept shape at run time only where the graph does not know it
			boolean stitched = false;
			for (var it = m.graph().operations(); it.hasNext();) stitched |= it.next().type().equals("DynamicStitch");
			assertEquals(op.equals("mean-unknown-size"), stitched, op + ": a kept shape built at run time");
			float[] oneHot = { 0, 1, 0, 0, 1, 0 };
			float[] g = new float[x.length];
			try (TFloat32 tx = tensor(x, 2); TFloat32 ts = TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(oneHot, true,
				false)); Result r = m.session().runner().feed(m.input(), tx).feed(seed[0], ts).fetch(walk).run())
			{
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(g);
			}
			BiFunction<float[], Double, Double> logit = (image, unused) -> {
				try (TFloat32 t = tensor(image, 2); Result r = m.session().runner().feed(m.input(), t).fetch(m.logits()).run()) {
					float[] l = new float[6];
					((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(l);
					return (double) l[1] + l[4];
				}
			};
			Random random = new Random(5);
			double norm = 0;
			for (float v : g) norm += v * v;
			norm = Math.sqrt(norm);
			assertTrue(norm > 0, op);
			for (int trial = 0; trial < 3; trial++) {
				float[] v = new float[x.length], plus = new float[x.length], minus = new float[x.length];
				double h = 1e-2, dot = 0, length = 0;
				for (int i = 0; i < x.length; i++) {
					v[i] = (float) random.nextGaussian();
					plus[i] = (float) (x[i] + h * v[i]);
					minus[i] = (float) (x[i] - h * v[i]);
					dot += g[i] * v[i];
					length += v[i] * v[i];
				}
				double fd = (logit.apply(plus, 0.0) - logit.apply(minus, 0.0)) / (2 * h);
				assertEquals(fd, dot, 2e-3 * norm * Math.sqrt(length), op + " direction " + trial);
			}
		}
	}

	private static TFloat32 tensor(float[] x, int n) {
		return TFloat32.tensorOf(Shape.of(n, 4, 4, 2), DataBuffers.of(x, true, false));
	}
}

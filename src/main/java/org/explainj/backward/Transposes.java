package org.explainj.backward;

import java.util.List;
import java.util.Set;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSliceGrad;
import org.tensorflow.op.core.Max;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The gradient transposes (what d/dx is given d/dy) of the shape ops and the local derivatives of the
 * element-wise ops that the {@link OpTable}'s entries use. Each is checked against central finite
 * differences in the tests.
 */
final class Transposes {

	/** Element-wise nonlinearities y = f(x) of one data input, with their local derivative below. */
	static final Set<String> ELEMENTWISE = Set.of("Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Erf", "Erfc",
		"Softplus", "Square", "Rsqrt", "Sqrt", "Neg", "Exp", "Pow", "Reciprocal");

	private Transposes() {}

	/**
	 * df/dx of an element-wise op at x, y = f(x); {@code exponent} is Pow's second input. ReLU's kink
	 * counts as closed (0), as in TensorFlow.
	 */
	static Operand<TFloat32> derivative(Ops tf, GraphOperation op, Operand<TFloat32> x, Operand<TFloat32> y,
		Operand<TFloat32> exponent)
	{
		Operand<TFloat32> one = tf.constant(1f), zero = tf.constant(0f);
		Operand<TFloat32> open = tf.dtypes.cast(tf.math.greater(x, zero), TFloat32.class);
		Operand<TFloat32> gauss = tf.math.mul(tf.constant((float) (2 / Math.sqrt(Math.PI))), tf.math.exp(tf.math.neg(tf.math
			.square(x))));
		return switch (op.type()) {
			case "Relu" -> open;
			case "Relu6" -> tf.math.mul(open, tf.dtypes.cast(tf.math.less(x, tf.constant(6f)), TFloat32.class));
			case "LeakyRelu" -> tf.select(tf.math.greater(x, tf.zerosLike(x)), tf.onesLike(x), tf.math.mul(tf.onesLike(x), tf
				.constant(op.attributes().getAttrFloat("alpha"))));
			case "Elu" -> tf.select(tf.math.greater(x, tf.zerosLike(x)), tf.onesLike(x), tf.math.add(y, one));
			case "Sigmoid" -> tf.math.mul(y, tf.math.sub(one, y));
			case "Tanh" -> tf.math.sub(one, tf.math.square(y));
			case "Erf" -> gauss;
			case "Erfc" -> tf.math.neg(gauss);
			case "Softplus" -> tf.math.sigmoid(x);
			case "Square" -> tf.math.mul(tf.constant(2f), x);
			case "Rsqrt" -> tf.math.mul(tf.constant(-0.5f), tf.math.mul(y, tf.math.square(y)));
			case "Sqrt" -> tf.math.divNoNan(tf.constant(0.5f), y);
			case "Neg" -> tf.math.neg(tf.onesLike(x));
			case "Exp" -> y;
			case "Reciprocal" -> tf.math.neg(tf.math.square(y));
			case "Pow" -> tf.math.mul(exponent, tf.math.pow(x, tf.math.sub(exponent, one)));
			default -> throw new IllegalArgumentException(op.type());
		};
	}

	/** The element-wise op applied to another tensor (DeepLIFT's RevealCancel evaluates f at x0 + dx). */
	static Operand<TFloat32> apply(Ops tf, GraphOperation op, Operand<TFloat32> x, Operand<TFloat32> exponent) {
		return switch (op.type()) {
			case "Relu" -> tf.nn.relu(x);
			case "Relu6" -> tf.nn.relu6(x);
			case "LeakyRelu" -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(op.attributes().getAttrFloat(
				"alpha")));
			case "Elu" -> tf.nn.elu(x);
			case "Sigmoid" -> tf.math.sigmoid(x);
			case "Tanh" -> tf.math.tanh(x);
			case "Erf" -> tf.math.erf(x);
			case "Erfc" -> tf.math.erfc(x);
			case "Softplus" -> tf.math.softplus(x);
			case "Square" -> tf.math.square(x);
			case "Rsqrt" -> tf.math.rsqrt(x);
			case "Sqrt" -> tf.math.sqrt(x);
			case "Neg" -> tf.math.neg(x);
			case "Exp" -> tf.math.exp(x);
			case "Reciprocal" -> tf.math.reciprocal(x);
			case "Pow" -> tf.math.pow(x, exponent);
			default -> throw new IllegalArgumentException(op.type());
		};
	}

	/** A signal of a broadcast result summed back to the shape of the operand that was broadcast. */
	static Operand<TFloat32> unbroadcast(Ops tf, Operand<TFloat32> g, Operand<TFloat32> operand) {
		Operand<TInt32> shape = tf.shape(operand);
		var axes = tf.broadcastGradientArgs(shape, tf.shape(g));
		return tf.reshape(tf.reduceSum(g, axes.r0()), shape);
	}

	/**
	 * x's rank, a constant where the graph knows it. TensorFlow folds a Rank op of a known rank into a
	 * constant that keeps a control edge to x; an activation with such an edge is not fused into its
	 * convolution (Grad-CAM's layer, the last convolution's ReLU, ran as a separate op).
	 */
	static Operand<TInt32> rank(Ops tf, Operand<?> x) {
		int known = x.shape().numDimensions();
		return known >= 0 ? tf.constant(known) : tf.rank(x);
	}

	/**
	 * Mean over constant axes: the signal spread evenly over the reduced axes. {@code knownAxes}: the axes'
	 * values where they are a Const node, else null.
	 */
	static Operand<TFloat32> meanBack(Ops tf, Operand<TFloat32> x, Operand<TInt32> axes, long[] knownAxes,
		Operand<TFloat32> g)
	{
		Operand<TInt32> shape = tf.shape(x), kept;
		Operand<TFloat32> count;
		int[] keptShape = knownAxes == null ? null : keptShape(x.shape(), knownAxes);
		if (keptShape != null) {
			// a global average pooling's usual case: constants (a batch-1 Grad-CAM ran five shape ops for them)
			int rank = keptShape.length;
			kept = tf.constant(keptShape);
			count = tf.constant((float) java.util.stream.LongStream.of(knownAxes).map(a -> Math.floorMod(a, rank)).distinct()
				.map(a -> x.shape().size((int) a)).reduce(1, (p, q) -> p * q));
		}
		else {
			// built from shapes (computing the mean for its shape cost a pass over x)
			Operand<TInt32> rank = rank(tf, x);
			kept = tf.dynamicStitch(List.of(tf.range(tf.constant(0), rank, tf.constant(1)), tf.math.floorMod(axes, rank)),
				List.of(shape, tf.onesLike(axes)));
			count = tf.dtypes.cast(tf.math.div(tf.size(x), tf.size(g)), TFloat32.class);
		}
		// divided before it is spread: a pass over g, not over x
		return tf.broadcastTo(tf.reshape(tf.math.div(g, count), kept), shape);
	}

	/**
	 * x's shape with the averaged axes set to 1, where the graph knows every axis but a leading batch axis
	 * that is not averaged (-1 there); null where it does not.
	 */
	private static int[] keptShape(Shape shape, long[] axes) {
		int rank = shape.numDimensions();
		if (rank < 1) return null;
		int[] kept = new int[rank];
		for (int i = 0; i < rank; i++) {
			if (i > 0 && shape.size(i) < 0) return null;
			kept[i] = (int) shape.size(i);
		}
		for (long axis : axes) {
			int a = (int) Math.floorMod(axis, (long) rank);
			if (kept[a] < 0) return null;
			kept[a] = 1;
		}
		return kept;
	}

	/** Max over constant axes (global max pooling): the signal goes to the maxima, shared among ties. */
	static Operand<TFloat32> maxBack(Ops tf, Operand<TFloat32> x, Operand<TInt32> axes, Operand<TFloat32> g) {
		Operand<TFloat32> kept = tf.max(x, axes, Max.keepDims(true));
		Operand<TFloat32> winners = tf.dtypes.cast(tf.math.equal(x, kept), TFloat32.class);
		Operand<TFloat32> ties = tf.reduceSum(winners, axes, org.tensorflow.op.core.ReduceSum.keepDims(true));
		return tf.math.mul(winners, tf.math.div(tf.reshape(g, tf.shape(kept)), ties));
	}

	/** A strided slice (Cropping2D, Keras's Flatten of shapes ...) undone: the signal placed back, zeros elsewhere. */
	static Operand<TFloat32> stridedSliceBack(Ops tf, GraphOperation op, Operand<TFloat32> x, Operand<TInt32> begin,
		Operand<TInt32> end, Operand<TInt32> strides, Operand<TFloat32> g)
	{
		var a = op.attributes();
		return tf.stridedSliceGrad(tf.shape(x), begin, end, strides, g, StridedSliceGrad.beginMask(a.getAttrInt(
			"begin_mask")), StridedSliceGrad.endMask(a.getAttrInt("end_mask")), StridedSliceGrad.ellipsisMask(a.getAttrInt(
				"ellipsis_mask")), StridedSliceGrad.newAxisMask(a.getAttrInt("new_axis_mask")), StridedSliceGrad
					.shrinkAxisMask(a.getAttrInt("shrink_axis_mask")));
	}

	/** Tile (UpSampling2D as repeats) undone: the copies' signals summed, [m0, s0, m1, s1 ...] summed over the m. */
	static Operand<TFloat32> tileBack(Ops tf, Operand<TFloat32> x, Operand<TInt32> multiples, Operand<TFloat32> g) {
		Operand<TInt32> shape = tf.shape(x);
		Operand<TInt32> split = tf.reshape(tf.stack(java.util.List.of(multiples, shape), org.tensorflow.op.core.Stack.axis(
			1L)), tf.constant(new int[] { -1 }));
		Operand<TInt32> copies = tf.range(tf.constant(0), tf.math.mul(tf.constant(2), tf.size(shape)), tf.constant(2));
		return tf.reshape(tf.reduceSum(tf.reshape(g, split), copies), shape);
	}

	/** Transpose undone by the inverse permutation. */
	static Operand<TFloat32> transposeBack(Ops tf, Operand<TInt32> permutation, Operand<TFloat32> g) {
		return tf.linalg.transpose(g, tf.math.invertPermutation(permutation));
	}
}

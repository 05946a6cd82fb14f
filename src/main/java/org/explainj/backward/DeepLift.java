package org.explainj.backward;

import java.util.List;
import java.util.function.UnaryOperator;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * DeepLIFT's rules (docs/METHODS.md 2.5): the network's tensors on the reference input x0, the rescale
 * rule for element-wise nonlinearities, and summation-to-delta through max pooling and global max pooling.
 * Linear ops pass multipliers as gradients; the op table's entries ask this class where they differ.
 */
final class DeepLift {

	private final Walk walk;
	private final Ops tf;
	private final UnaryOperator<Output<TFloat32>> reference;
	/** False: plain gradient routing through max pooling (Captum's behaviour). */
	private final boolean maxPool;

	DeepLift(Walk walk, UnaryOperator<Output<TFloat32>> reference, boolean maxPool) {
		this.walk = walk;
		this.tf = walk.tf;
		this.reference = reference;
		this.maxPool = maxPool;
	}

	/**
	 * A tensor of the original network ("node:k") on the reference input: one row, broadcasting against the
	 * batch, where every image shares the baseline.
	 */
	Output<TFloat32> atReference(String tensor) {
		return reference.apply(walk.original(tensor));
	}

	/** Whether max pooling keeps summation-to-delta (else it routes as the gradient). */
	boolean maxPool() {
		return maxPool;
	}

	/** Rescale: g (y - y0) / (x - x0), falling back to g times the local derivative where |x - x0| < 1e-7. */
	Operand<TFloat32> rescale(NodeDef node, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32> local) {
		Output<TFloat32> x = walk.value(inputs.get(0)), y = walk.out(node);
		Output<TFloat32> x0 = atReference(inputs.get(0)), y0 = atReference(node.getName());
		Operand<TFloat32> dx = tf.math.sub(x, x0);
		Operand<TBool> close = tf.math.less(tf.math.abs(dx), tf.constant(1e-7f));
		return tf.math.mul(g, tf.select(close, local, tf.math.divNoNan(tf.math.sub(y, y0), dx)));
	}

	/** The routing of a max (pooling) of x with output y: the signal g sent to the maxima. */
	interface Route {
		Operand<TFloat32> route(Operand<TFloat32> x, Operand<TFloat32> y, Operand<TFloat32> g);
	}

	/**
	 * Through a max pooling or a max over axes: with yh = max(y, y0), the upstream multiplier times (yh - y0)
	 * goes to the window's winner at x and times (y - yh) to its winner at x0; the sums are then divided by
	 * (x - x0) (plain routing at x where |x - x0| < 1e-10), so summation-to-delta survives.
	 */
	Operand<TFloat32> max(NodeDef node, List<String> inputs, Operand<TFloat32> m, Route route) {
		Output<TFloat32> x = walk.value(inputs.get(0)), y = walk.out(node);
		// the routes need the reference at the batch's shape (a shared baseline runs as one row)
		Operand<TFloat32> x0 = tf.broadcastTo(atReference(inputs.get(0)), tf.shape(x)), y0 = tf.broadcastTo(atReference(
			node.getName()), tf.shape(y));
		Operand<TFloat32> yh = tf.math.maximum(y, y0);
		Operand<TFloat32> atX = route.route(x, y, tf.math.mul(m, tf.math.sub(yh, y0)));
		Operand<TFloat32> atX0 = route.route(x0, y0, tf.math.mul(m, tf.math.sub(y, yh)));
		Operand<TFloat32> dx = tf.math.sub(x, x0);
		Operand<TBool> close = tf.math.less(tf.math.abs(dx), tf.constant(1e-10f));
		return tf.select(close, route.route(x, y, m), tf.math.divNoNan(tf.math.add(atX, atX0), dx));
	}
}

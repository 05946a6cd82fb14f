package org.explainj.backward;

import java.util.List;

import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * DeepLIFT's RevealCancel rule (Shrikumar et al. 2017; docs/METHODS.md 2.6) for nonlinearities: the input
 * difference of a nonlinearity is split into its positive and negative parts dx+ and dx- (below a linear
 * layer: the sums of its positive and negative terms w da), each gets its Shapley-style share of dy and its
 * own multiplier dy+/dx+, dy-/dx-, and the linear layer below sends each term back with the multiplier of
 * the part it fed. The pair travels as a {@link Signal}; other ops take it as one multiplier ({@link #collapse}).
 */
final class RevealCancel {

	/** The nonlinearities the rule splits. */
	static final java.util.Set<String> NONLINEAR = java.util.Set.of("Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid",
		"Tanh");

	private final Walk walk;
	private final Ops tf;

	RevealCancel(Walk walk) {
		this.walk = walk;
		this.tf = walk.tf;
	}

	/**
	 * At a nonlinearity y = f(x), upstream multiplier g: dy+ = (f(x0 + dx+) - y0 + y - f(x0 + dx-)) / 2,
	 * dy- = (f(x0 + dx-) - y0 + y - f(x0 + dx+)) / 2 (so dy+ + dy- = y - y0), and multipliers g dy+/dx+ and
	 * g dy-/dx- ({@code local}, g times the local derivative, where a part is below 1e-7).
	 */
	Signal nonlinearity(NodeDef node, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32> local) {
		GraphOperation op = walk.op(node);
		Output<TFloat32> y = walk.out(node);
		Output<TFloat32> x0 = walk.deepLift.atReference(inputs.get(0)), y0 = walk.deepLift.atReference(node.getName());
		Operand<TFloat32>[] dx = parts(inputs.get(0));
		Operand<TFloat32> fUp = Transposes.apply(tf, op, tf.math.add(x0, dx[0]), null);
		Operand<TFloat32> fDown = Transposes.apply(tf, op, tf.math.add(x0, dx[1]), null);
		Operand<TFloat32> half = tf.constant(0.5f);
		Operand<TFloat32> dyUp = tf.math.mul(half, tf.math.add(tf.math.sub(fUp, y0), tf.math.sub(y, fDown)));
		Operand<TFloat32> dyDown = tf.math.mul(half, tf.math.add(tf.math.sub(fDown, y0), tf.math.sub(y, fUp)));
		return new Signal(ratio(tf.math.mul(g, dyUp), dx[0], local), ratio(tf.math.mul(g, dyDown), dx[1], local));
	}

	/**
	 * Through a linear layer z = W a + b given the multipliers m+ and m- of dz+ and dz-: the term w da went
	 * to dz+ when it is positive, so an input with da > 0 gets W+^T m+ + W-^T m-, one with da < 0 gets
	 * W-^T m+ + W+^T m-, one with da = 0 the mean W^T (m+ + m-) / 2.
	 */
	Operand<TFloat32> linear(Canonizer.Folded layer, Signal m) {
		LinearLayer l = layer.layer();
		Operand<TFloat32> up = m.positive(), down = m.negative();
		Operand<TFloat32> wUp = LinearRule.positive(tf, l.weight()), wDown = LinearRule.negative(tf, l.weight());
		Operand<TFloat32> rising = tf.math.add(l.transpose(tf, up, wUp), l.transpose(tf, down, wDown));
		Operand<TFloat32> falling = tf.math.add(l.transpose(tf, up, wDown), l.transpose(tf, down, wUp));
		Operand<TFloat32> still = l.transpose(tf, tf.math.mul(tf.constant(0.5f), tf.math.add(up, down)), l.weight());
		Operand<TFloat32> da = inputDifference(layer);
		return tf.select(tf.math.greater(da, tf.zerosLike(da)), rising, tf.select(tf.math.less(da, tf.zerosLike(da)),
			falling, still));
	}

	/** One multiplier for a tensor from a pair: m+ where dz > 0, m- where dz < 0, their mean at 0. */
	Operand<TFloat32> collapse(String tensor, Signal m) {
		if (!m.isPair()) return m.positive();
		Operand<TFloat32> dz = tf.math.sub(walk.value(tensor), walk.deepLift.atReference(tensor));
		return tf.select(tf.math.greater(dz, tf.zerosLike(dz)), m.positive(), tf.select(tf.math.less(dz, tf.zerosLike(dz)),
			m.negative(), tf.math.mul(tf.constant(0.5f), tf.math.add(m.positive(), m.negative()))));
	}

	/** The difference from the reference of a linear layer's input. */
	private Operand<TFloat32> inputDifference(Canonizer.Folded layer) {
		return tf.math.sub(layer.layer().input(), walk.deepLift.atReference(layer.input()));
	}

	/**
	 * dz+ and dz- of a tensor: below a linear layer the sums of its positive and its negative terms w da
	 * (bias and batch norm shift cancel in the difference); elsewhere the positive and negative part of dz.
	 */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] parts(String tensor) {
		NodeDef producer = walk.graph.node(TensorNames.node(tensor));
		while (producer.getOp().equals("Identity") || producer.getOp().equals("Snapshot")) producer = walk.graph.node(
			TensorNames.node(producer.getInput(0)));
		Canonizer.Folded layer = walk.folded(producer);
		if (layer == null) {
			Operand<TFloat32> dz = tf.math.sub(walk.value(tensor), walk.deepLift.atReference(tensor));
			return new Operand[] { LinearRule.positive(tf, dz), LinearRule.negative(tf, dz) };
		}
		LinearLayer l = layer.layer();
		Operand<TFloat32> da = inputDifference(layer);
		Operand<TFloat32> up = LinearRule.positive(tf, da), down = LinearRule.negative(tf, da);
		Operand<TFloat32> wUp = LinearRule.positive(tf, l.weight()), wDown = LinearRule.negative(tf, l.weight());
		return new Operand[] { l.forward(tf, up, wUp, down, wDown), l.forward(tf, up, wDown, down, wUp) };
	}

	/** a / b, or {@code fallback} where |b| < 1e-7. */
	private Operand<TFloat32> ratio(Operand<TFloat32> a, Operand<TFloat32> b, Operand<TFloat32> fallback) {
		return tf.select(tf.math.less(tf.math.abs(b), tf.constant(1e-7f)), fallback, tf.math.divNoNan(a, b));
	}
}

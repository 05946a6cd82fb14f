package org.explainj.backward;

import java.util.List;
import java.util.Set;

import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.Operand;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Relevance through gated units (docs/METHODS.md 2.7), as in Zennit and the LRP literature: in a product
 * of two branches the gate (a sigmoid, tanh or erf, a normalisation statistic) is held constant and the
 * relevance flows whole through the signal branch (swish, GELU, squeeze-and-excitation, layer norm's
 * scaling); in a sum a gate's or statistic's share stays with it, as a bias's does.
 */
final class GateRule {

	private static final Set<String> GATES = Set.of("Sigmoid", "Tanh", "Erf", "Erfc", "Rsqrt", "StopGradient");

	private final Walk walk;

	GateRule(Walk walk) {
		this.walk = walk;
	}

	/**
	 * The input of a product of two branches that carries the signal, the other being a gate; -1 when
	 * neither or both are gates.
	 */
	int signalOfProduct(List<String> inputs) {
		boolean gateA = constantLike(inputs.get(0)), gateB = constantLike(inputs.get(1));
		return gateA == gateB ? -1 : gateB ? 0 : 1;
	}

	/**
	 * True for a gate or a statistic: a tensor that, through element-wise ops by constants, comes from a
	 * squashing op (sigmoid, tanh, erf), a normalisation statistic ({@link #statistic mean}, reciprocal square
	 * root) or a StopGradient; relevance rules hold it constant.
	 */
	boolean constantLike(String tensor) {
		NodeDef cur = walk.graph.node(TensorNames.node(tensor));
		while (true) {
			if (GATES.contains(cur.getOp()) || statistic(cur)) return true;
			List<String> in = GraphIndex.dataInputs(cur);
			if (Set.of("Identity", "Reshape", "ExpandDims", "Squeeze", "Neg", "Cast").contains(cur.getOp())) {
				cur = walk.graph.node(TensorNames.node(in.get(0)));
				continue;
			}
			if (!Set.of("Mul", "Add", "AddV2", "Sub", "RealDiv").contains(cur.getOp()) || in.size() != 2) return false;
			boolean a = walk.onPath(in.get(0)), b = walk.onPath(in.get(1));
			if (a && b) return constantLike(in.get(0)) && constantLike(in.get(1));
			cur = walk.graph.node(TensorNames.node(in.get(a ? 0 : 1)));
		}
	}

	/**
	 * A mean that is a normalisation statistic rather than a pooling: it keeps the reduced axes so that it
	 * broadcasts back against the tensor it summarises, and that tensor feeds another op on the path (x - mean,
	 * x * inv). A global average pooling (ConvNeXt's head, before its layer norm) is the signal itself.
	 */
	private boolean statistic(NodeDef node) {
		if (!node.getOp().equals("Mean") || !node.getAttrOrThrow("keep_dims").getB()) return false;
		String summarised = TensorNames.node(GraphIndex.dataInputs(node).get(0));
		return walk.graph.consumers(summarised).stream().anyMatch(c -> !c.equals(node.getName()) && walk.onPath(c));
	}

	/**
	 * Relevance of a sum of two branches (Add, Sub), each term's share +-x_i R / y; a gate's or statistic's
	 * share stays with it (counted as absorbed).
	 */
	@SuppressWarnings("unchecked")
	Operand<TFloat32>[] sum(NodeDef node, List<String> inputs, Operand<TFloat32> r) {
		var tf = walk.tf;
		boolean minus = node.getOp().equals("Sub");
		Operand<TFloat32>[] back = new Operand[inputs.size()];
		Operand<TFloat32> share = LinearRule.divide(tf, r, walk.out(node));
		Operand<TFloat32> passed = null;
		for (int k = 0; k < 2; k++) {
			if (constantLike(inputs.get(k))) continue;
			Operand<TFloat32> x = walk.value(inputs.get(k));
			Operand<TFloat32> contribution = k == 1 && minus ? tf.math.neg(x) : x;
			back[k] = Transposes.unbroadcast(tf, tf.math.mul(contribution, share), x);
			passed = passed == null ? walk.perImage(back[k]) : tf.math.add(passed, walk.perImage(back[k]));
		}
		if (passed == null) throw walk.cannotCross(node, "a sum of two normalisation statistics");
		walk.keep(tf.math.sub(walk.perImage(r), passed));
		return back;
	}
}

package org.explainj.backward;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.explainj.ExplainException;

import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.GraphOperation;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Zennit's canonizer: finds the layers the rules apply to. A chain of element-wise affine ops by
 * constants (BiasAdd, Add/Sub of a bias, Mul or RealDiv by a scale, FusedBatchNormV3 in inference, Keras
 * 3's batch norm as Mul and AddV2) above a Conv2D, DepthwiseConv2dNative or MatMul, through nodes used
 * only there, is folded into that layer (weights w * scale, bias shift). A chain that no linear layer
 * precedes (batch norm after a Concatenate, a ReLU or a pooling) is the per-channel affine layer
 * {@link LinearLayer.Kind#SCALE} it is, so that the composite's rule applies to it as to any layer
 * (docs/METHODS.md 2.3). Chains on the pixels' side of the first linear layer (a Rescaling or
 * Normalization layer) are preprocessing and left to the walk.
 */
final class Canonizer {

	private final Ops tf;
	private final Graph graph;
	private final GraphIndex nodes;
	private final Set<String> path;
	private final String input;
	private final Function<String, Output<TFloat32>> value;
	private final java.util.function.UnaryOperator<String> localName;

	/**
	 * @param path the nodes between the model input and where the walk starts: only their consumers count
	 *          (gradient ops of other methods read activations too)
	 * @param value a tensor reference of the original network as the walk sees it
	 * @param localName a node's name in the model's own graph (its Keras name scope), for messages
	 */
	Canonizer(Ops tf, Graph graph, GraphIndex nodes, Set<String> path, String input,
		Function<String, Output<TFloat32>> value, java.util.function.UnaryOperator<String> localName)
	{
		this.localName = localName;
		this.tf = tf;
		this.graph = graph;
		this.nodes = nodes;
		this.path = path;
		this.input = input;
		this.value = value;
	}

	/** A layer and the tensor it reads: {@code linear} is its lowest node (the linear op, or the chain's bottom). */
	record Folded(NodeDef linear, String input, LinearLayer layer) {}

	static final Set<String> LINEAR = Set.of("MatMul", "Conv2D", "DepthwiseConv2dNative");

	/**
	 * The layer whose output is {@code top}'s: a linear node with the chain of affine ops above it, or such a
	 * chain alone; null when {@code top} ends no layer.
	 */
	Folded fold(NodeDef top) {
		Operand<TFloat32> scale = null, shift = null;
		boolean perChannel = true;
		NodeDef cur = top;
		String next = null;
		while (true) {
			List<String> in = GraphIndex.dataInputs(cur);
			if (LINEAR.contains(cur.getOp())) {
				LinearLayer base = linearLayer(cur, null);
				Operand<TFloat32> w = scale == null ? base.weight() : tf.math.mul(base.weight(), perOutput(base, scale));
				return new Folded(cur, in.get(0), new LinearLayer(base.kind(), base.input(), w.asOutput(), shift, base
					.strides(), base.padding(), base.dilations(), base.explicitPaddings(), base.transposeWeight()).withOutput(
						value.apply(top.getName())));
			}
			Step step = affine(cur, in);
			if (step == null) break;
			perChannel &= perChannel(step.constant());
			Operand<TFloat32> c = step.constant();
			switch (cur.getOp()) {
				case "Mul" -> scale = scale == null ? c : tf.math.mul(scale, c);
				case "RealDiv" -> scale = scale == null ? tf.math.reciprocal(c) : tf.math.div(scale, c);
				case "FusedBatchNormV3", "FusedBatchNorm" -> {
					Operand<TFloat32>[] ks = batchNorm(cur, in);
					shift = add(shift, scale == null ? ks[1] : tf.math.mul(ks[1], scale));
					scale = scale == null ? ks[0] : tf.math.mul(scale, ks[0]);
				}
				default -> {
					boolean minus = cur.getOp().equals("Sub");
					boolean negated = minus && step.data() == 1;
					// top = (below op c) * scale + shift; Sub(c, below) = -below + c
					Operand<TFloat32> term = minus && !negated ? tf.math.neg(c) : c;
					shift = add(shift, scale == null ? term : tf.math.mul(term, scale));
					if (negated) scale = scale == null ? tf.math.neg(tf.onesLike(c)) : tf.math.neg(scale);
				}
			}
			next = in.get(step.data());
			NodeDef below = nodes.node(TensorNames.node(next));
			if (nodes.consumers(below.getName()).stream().filter(path::contains).count() != 1 || (LINEAR.contains(below
				.getOp()) && !perChannel)) break;
			cur = below;
		}
		if (next == null || seesPixels(next)) return null;
		Operand<TFloat32> w = scale == null ? tf.constant(1f) : scale;
		return new Folded(nodes.node(TensorNames.node(next)), next, new LinearLayer(LinearLayer.Kind.SCALE, value.apply(
			next), w.asOutput(), shift, null, null, null, null, false).withOutput(value.apply(top.getName())));
	}

	private Operand<TFloat32> add(Operand<TFloat32> a, Operand<TFloat32> b) {
		return a == null ? b : tf.math.add(a, b);
	}

	/** An element-wise op of one data tensor and a constant, and which input is the data. */
	private record Step(int data, Output<TFloat32> constant) {}

	private Step affine(NodeDef node, List<String> in) {
		switch (node.getOp()) {
			case "BiasAdd", "Add", "AddV2", "Sub", "Mul", "RealDiv" -> {
				if (in.size() != 2 || onPath(in.get(0)) == onPath(in.get(1))) return null;
				int data = onPath(in.get(0)) ? 0 : 1;
				if (node.getOp().equals("RealDiv") && data != 0) return null;
				return new Step(data, value.apply(in.get(1 - data)));
			}
			case "FusedBatchNormV3", "FusedBatchNorm" -> {
				GraphOperation op = graph.operationOrThrow(node.getName());
				if (op.attributes().getAttrBool("is_training") || !onPath(in.get(0))) return null;
				return new Step(0, value.apply(in.get(1)));
			}
			default -> {
				return null;
			}
		}
	}

	/** A fused batch norm as scale k = gamma / sqrt(var + eps) and shift beta - mean k. */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] batchNorm(NodeDef node, List<String> in) {
		GraphOperation op = graph.operationOrThrow(node.getName());
		Operand<TFloat32> k = tf.math.mul(value.apply(in.get(1)), tf.math.rsqrt(tf.math.add(value.apply(in.get(4)), tf
			.constant(op.attributes().getAttrFloat("epsilon")))));
		return new Operand[] { k, tf.math.sub(value.apply(in.get(2)), tf.math.mul(value.apply(in.get(3)), k)) };
	}

	/** A constant that scales or shifts each output channel alike: a scalar or [.., 1, C]. */
	private static boolean perChannel(Output<TFloat32> c) {
		var shape = c.shape();
		if (shape.isUnknown()) return false;
		for (int i = 0; i < shape.numDimensions() - 1; i++) if (shape.size(i) != 1) return false;
		return shape.numDimensions() <= 4;
	}

	/** A per-output-channel vector shaped to multiply the layer's weights. */
	private Operand<TFloat32> perOutput(LinearLayer layer, Operand<TFloat32> scale) {
		Operand<TFloat32> flat = tf.reshape(scale, tf.constant(new int[] { -1 }));
		return switch (layer.kind()) {
			case DENSE -> layer.transposeWeight() ? tf.expandDims(flat, tf.constant(1)) : flat;
			case CONV, SCALE -> flat;
			case DEPTHWISE -> tf.reshape(flat, tf.constant(new int[] { 1, 1, (int) layer.weight().shape().size(2), (int) layer
				.weight().shape().size(3) }));
		};
	}

	/** A Conv2D, DepthwiseConv2dNative or MatMul node as a layer, with the given bias. */
	LinearLayer linearLayer(NodeDef node, Operand<TFloat32> bias) {
		GraphOperation op = graph.operationOrThrow(node.getName());
		List<String> inputs = GraphIndex.dataInputs(node);
		Output<TFloat32> x = value.apply(inputs.get(0)), w = value.apply(inputs.get(1));
		return switch (node.getOp()) {
			case "MatMul" -> {
				if (op.attributes().getAttrBool("transpose_a")) throw unsupported(node, "a transposed activation");
				yield new LinearLayer(LinearLayer.Kind.DENSE, x, w, bias, null, null, null, null, op.attributes()
					.getAttrBool("transpose_b"));
			}
			case "Conv2D" -> {
				nhwc(node, op);
				yield new LinearLayer(LinearLayer.Kind.CONV, x, w, bias, longs(op.attributes().getAttrIntList("strides")),
					op.attributes().getAttrString("padding"), longs(op.attributes().getAttrIntList("dilations")), longs(op
						.attributes().getAttrIntList("explicit_paddings")), false);
			}
			default -> {
				nhwc(node, op);
				yield new LinearLayer(LinearLayer.Kind.DEPTHWISE, x, w, bias, longs(op.attributes().getAttrIntList(
					"strides")), op.attributes().getAttrString("padding"), longs(op.attributes().getAttrIntList(
						"dilations")), List.of(), false);
			}
		};
	}

	/**
	 * True when nothing but reshapes, paddings, casts and element-wise preprocessing by constants (a Keras
	 * Rescaling or Normalization) lie between the model input and this tensor: a layer reading it sees the
	 * pixels.
	 */
	boolean seesPixels(String tensor) {
		NodeDef cur = nodes.node(TensorNames.node(tensor));
		while (true) {
			if (cur.getName().equals(input)) return true;
			List<String> in = GraphIndex.dataInputs(cur);
			boolean passThrough = Set.of("Identity", "Reshape", "Pad", "PadV2", "ExpandDims", "Squeeze", "Cast").contains(cur
				.getOp());
			boolean preprocessing = Set.of("Mul", "Add", "AddV2", "Sub", "RealDiv").contains(cur.getOp()) && in.size() == 2 &&
				onPath(in.get(0)) != onPath(in.get(1));
			if (!passThrough && !preprocessing) return false;
			cur = nodes.node(TensorNames.node(in.get(preprocessing && !onPath(in.get(0)) ? 1 : 0)));
		}
	}

	private boolean onPath(String reference) {
		return path.contains(TensorNames.node(reference));
	}

	void nhwc(NodeDef node, GraphOperation op) {
		if (!op.attributes().getAttrString("data_format").equals("NHWC")) throw unsupported(node, "a channels-first " +
			"layout");
	}

	private ExplainException unsupported(NodeDef node, String detail) {
		return Walk.unsupported(node, localName.apply(node.getName()), detail, "The perturbation methods " +
			"(occlusion, rise, sobol) work on this model, and the gradient family where TensorFlow differentiates it.");
	}

	static List<Long> longs(long[] v) {
		return java.util.Arrays.stream(v).boxed().toList();
	}
}

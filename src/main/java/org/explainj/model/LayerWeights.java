package org.explainj.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.Output;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * The weights of the network's linear layers (Conv2D, DepthwiseConv2dNative, MatMul between the input
 * and the logits), found by structure: the kernel is the linear op's weight input, the bias the other
 * operand of the BiasAdd/Add right after it. These are exactly the tensors every consumer reads (the
 * forward pass, network copies, the backward walk and its canonizer), so a value fed for them in a
 * session run replaces the weights for everything in that run, while the model itself is unchanged.
 */
public final class LayerWeights {

	/** One linear layer: a name to show, its kernel and its bias (null when it has none). */
	public record Linear(String name, Output<TFloat32> kernel, Output<TFloat32> bias) {

		/** The kernel, then the bias if any. */
		public List<Output<TFloat32>> tensors() {
			return bias == null ? List.of(kernel) : List.of(kernel, bias);
		}
	}

	private static final Set<String> LINEAR = Set.of("Conv2D", "DepthwiseConv2dNative", "MatMul");
	private static final Set<String> BIAS = Set.of("BiasAdd", "Add", "AddV2");

	private LayerWeights() {}

	/** The linear layers from the input to the logits, in forward order. */
	public static List<Linear> of(ClassifierModel model) {
		GraphIndex graph = model.index();
		List<String> path = graph.between(model.input().op().name(), model.logits().op().name());
		Set<String> onPath = new HashSet<>(path);
		// names come from the layers up to the output: the logits' own layer ends after them (its softmax)
		List<String> toOutput = graph.between(model.input().op().name(), model.output().op().name());
		Set<String> onOutputPath = new HashSet<>(toOutput);
		Map<String, Integer> position = new HashMap<>();
		for (int i = 0; i < toOutput.size(); i++) position.put(toOutput.get(i), i);
		Map<String, String> layerOfOutput = new HashMap<>();
		for (LayerIndex.Layer l : model.layers().layers()) layerOfOutput.put(l.output().op().name(), l.name());
		List<Linear> layers = new ArrayList<>();
		Set<String> seenKernels = new HashSet<>();
		for (String name : path) {
			NodeDef node = graph.node(name);
			if (!LINEAR.contains(node.getOp())) continue;
			List<String> inputs = GraphIndex.dataInputs(node);
			if (inputs.size() < 2 || onPath.contains(TensorNames.node(inputs.get(1)))) continue; // a product of activations
			Output<?> kernel = TensorNames.output(model.graph(), inputs.get(1));
			if (kernel.dataType() != DataType.DT_FLOAT && kernel.dataType() != DataType.DT_FLOAT_REF) continue;
			if (!seenKernels.add(inputs.get(1))) continue; // a shared kernel is one layer's weights
			layers.add(new Linear(layerName(name, graph, onOutputPath, position, layerOfOutput), floatOutput(kernel), bias(model,
				graph, name, onPath)));
		}
		if (layers.isEmpty()) throw new ExplainException("The model has no linear layer (convolution or dense) between " +
			"its input and its logits.", "The sanity check randomises the weights of such layers; use another model.");
		return layers;
	}

	private static Output<TFloat32> bias(ClassifierModel model, GraphIndex graph, String linear, Set<String> onPath) {
		List<String> consumers = graph.consumers(linear).stream().filter(onPath::contains).toList();
		if (consumers.size() != 1) return null;
		NodeDef next = graph.node(consumers.get(0));
		if (!BIAS.contains(next.getOp())) return null;
		List<String> in = GraphIndex.dataInputs(next);
		if (in.size() != 2) return null;
		String other = onPath.contains(TensorNames.node(in.get(0))) ? in.get(1) : in.get(0);
		if (onPath.contains(TensorNames.node(other))) return null; // a residual sum, not a bias
		Output<?> b = TensorNames.output(model.graph(), other);
		var shape = b.shape();
		if (shape.isUnknown()) return null;
		for (int i = 0; i < shape.numDimensions() - 1; i++) if (shape.size(i) != 1) return null;
		return b.dataType() == DataType.DT_FLOAT || b.dataType() == DataType.DT_FLOAT_REF ? floatOutput(b) : null;
	}

	/**
	 * The layer (as {@link LayerIndex} names them) whose output is the first layer output at or after the
	 * linear node; the node's own name where there is none.
	 */
	private static String layerName(String linear, GraphIndex graph, Set<String> onPath, Map<String, Integer> position,
		Map<String, String> layerOfOutput)
	{
		String best = null;
		Deque<String> todo = new ArrayDeque<>(List.of(linear));
		Set<String> seen = new HashSet<>();
		while (!todo.isEmpty()) {
			String n = todo.pop();
			if (!seen.add(n)) continue;
			if (layerOfOutput.containsKey(n)) {
				if (best == null || position.get(n) < position.get(best)) best = n;
				continue;
			}
			graph.consumers(n).stream().filter(onPath::contains).forEach(todo::add);
		}
		return best == null ? linear : layerOfOutput.get(best);
	}

	@SuppressWarnings("unchecked")
	private static Output<TFloat32> floatOutput(Output<?> t) {
		// a TF1 variable's ref output carries float values; the session feeds and reads it as float
		return (Output<TFloat32>) t;
	}
}

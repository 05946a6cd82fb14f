package org.explainj.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.Output;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * The network's layers between input and output, in order, found from the graph's structure: a layer is
 * the group of nodes in one name scope, named after the variables it reads where it has any (Keras 3
 * renames scopes but keeps true layer names in variable names) and otherwise after its scope. Its
 * output is the group's tensor that the next layer consumes, e.g. the Relu after Conv2D and BiasAdd.
 */
public final class LayerIndex {

	/** A layer: its name, the op types it contains and its output tensor. */
	public record Layer(String name, List<String> ops, Output<TFloat32> output) {

		/**
		 * The tensor whose units are explained or maximised: the output, or for an output layer that ends in
		 * its softmax, the logits before it.
		 */
		public Output<TFloat32> unitOutput() {
			if (!output.op().type().equals("Softmax")) return output;
			return ((org.tensorflow.GraphOperation) output.op()).input(0).expect(TFloat32.class);
		}

		@Override
		public String toString() {
			return name + " " + ops + " -> " + output.shape();
		}
	}

	private final LinkedHashMap<String, Layer> layers = new LinkedHashMap<>();

	public LayerIndex(ClassifierModel model) {
		GraphPath graph = new GraphPath(model.graphDef());
		List<String> path = graph.between(model.input().op().name(), model.output().op().name());
		Set<String> onPath = new HashSet<>(path);
		Map<String, String> scopeToLayer = new HashMap<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			String variable = variableRead(graph.node(n), graph);
			if (scope != null && variable != null) scopeToLayer.put(scope, variable);
		}
		Map<String, String> layerOf = new HashMap<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			if (scope == null || graph.node(n).getOp().equals("Placeholder")) continue;
			layerOf.put(n, scopeToLayer.getOrDefault(scope, scope.substring(scope.lastIndexOf('/') + 1)));
		}
		Map<String, List<String>> opsOf = new LinkedHashMap<>();
		Map<String, String> outputOf = new HashMap<>();
		for (String n : path) {
			String layer = layerOf.get(n);
			if (layer == null) continue;
			opsOf.computeIfAbsent(layer, k -> new ArrayList<>()).add(graph.node(n).getOp());
			// only consumers on the path count: explanation ops added to the graph consume activations too
			boolean leavesLayer = n.equals(model.output().op().name()) || graph.consumers(n).stream()
				.anyMatch(c -> onPath.contains(c) && !layer.equals(layerOf.get(c)));
			if (leavesLayer) outputOf.put(layer, n);
		}
		opsOf.forEach((layer, ops) -> {
			String out = outputOf.get(layer);
			if (out == null) return;
			Output<?> t = model.graph().operationOrThrow(out).output(0);
			if (t.dataType() == org.tensorflow.proto.DataType.DT_FLOAT) {
				layers.put(layer, new Layer(layer, List.copyOf(ops), t.expect(TFloat32.class)));
			}
		});
	}

	public List<Layer> layers() {
		return List.copyOf(layers.values());
	}

	public Layer layer(String name) {
		Layer l = layers.get(name);
		if (l == null) throw new ExplainException("The model has no layer '" + name + "'.", "Its layers are " +
			layers.keySet() + " (bin/explainj inspect lists them).");
		return l;
	}

	/** The layer name carried by a variable this node reads ("model/conv2d/kernel" -> "conv2d"). */
	private static String variableRead(NodeDef n, GraphPath nodes) {
		for (String in : n.getInputList()) {
			NodeDef src = nodes.node(TensorNames.node(in));
			while (src != null && Set.of("ReadVariableOp", "Identity").contains(src.getOp())) src = nodes.node(TensorNames.node(src
				.getInput(0)));
			if (src == null || !Set.of("VarHandleOp", "VariableV2").contains(src.getOp())) continue;
			String shared = src.getOp().equals("VarHandleOp") ? src.getAttrOrThrow("shared_name").getS().toStringUtf8()
				: src.getName();
			String[] parts = shared.split("/");
			if (parts.length >= 2) return parts[parts.length - 2];
		}
		return null;
	}

	private static String scope(String localName) {
		int slash = localName.lastIndexOf('/');
		return slash < 0 ? null : localName.substring(0, slash);
	}
}

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
		@Override
		public String toString() {
			return name + " " + ops + " -> " + output.shape();
		}
	}

	private final LinkedHashMap<String, Layer> layers = new LinkedHashMap<>();

	public LayerIndex(ClassifierModel model) {
		GraphDef g = model.graphDef();
		Map<String, NodeDef> nodes = new HashMap<>();
		Map<String, List<String>> consumers = new HashMap<>();
		for (NodeDef n : g.getNodeList()) {
			nodes.put(n.getName(), n);
			for (String in : n.getInputList()) {
				if (!in.startsWith("^")) consumers.computeIfAbsent(TensorNames.node(in), k -> new ArrayList<>()).add(n.getName());
			}
		}
		List<String> path = pathBetween(model.input().op().name(), model.output().op().name(), nodes, consumers);
		Set<String> onPath = new HashSet<>(path);
		Map<String, String> scopeToLayer = new HashMap<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			String variable = variableRead(nodes.get(n), nodes);
			if (scope != null && variable != null) scopeToLayer.put(scope, variable);
		}
		Map<String, String> layerOf = new HashMap<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			if (scope == null || nodes.get(n).getOp().equals("Placeholder")) continue;
			layerOf.put(n, scopeToLayer.getOrDefault(scope, scope.substring(scope.lastIndexOf('/') + 1)));
		}
		Map<String, List<String>> opsOf = new LinkedHashMap<>();
		Map<String, String> outputOf = new HashMap<>();
		for (String n : path) {
			String layer = layerOf.get(n);
			if (layer == null) continue;
			opsOf.computeIfAbsent(layer, k -> new ArrayList<>()).add(nodes.get(n).getOp());
			// only consumers on the path count: explanation ops added to the graph consume activations too
			boolean leavesLayer = n.equals(model.output().op().name()) || consumers.getOrDefault(n, List.of()).stream()
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

	/** Nodes that depend on {@code from} and feed {@code to}, in topological order. */
	private static List<String> pathBetween(String from, String to, Map<String, NodeDef> nodes,
		Map<String, List<String>> consumers)
	{
		Set<String> ancestors = new HashSet<>();
		ArrayList<String> todo = new ArrayList<>(List.of(to));
		while (!todo.isEmpty()) {
			String n = todo.remove(todo.size() - 1);
			if (!ancestors.add(n)) continue;
			for (String in : nodes.get(n).getInputList()) if (!in.startsWith("^")) todo.add(TensorNames.node(in));
		}
		Set<String> onPath = new HashSet<>();
		todo.add(from);
		while (!todo.isEmpty()) {
			String n = todo.remove(todo.size() - 1);
			if (!ancestors.contains(n) || !onPath.add(n)) continue;
			todo.addAll(consumers.getOrDefault(n, List.of()));
		}
		List<String> order = new ArrayList<>();
		Map<String, Integer> pending = new HashMap<>();
		ArrayList<String> ready = new ArrayList<>(List.of(from));
		while (!ready.isEmpty()) {
			String n = ready.remove(0);
			order.add(n);
			for (String c : new HashSet<>(consumers.getOrDefault(n, List.of()))) {
				if (!onPath.contains(c)) continue;
				int left = pending.computeIfAbsent(c, k -> (int) nodes.get(k).getInputList().stream()
					.filter(i -> !i.startsWith("^") && onPath.contains(TensorNames.node(i))).count());
				left -= (int) nodes.get(c).getInputList().stream().filter(i -> !i.startsWith("^") && TensorNames.node(i).equals(n)).count();
				pending.put(c, left);
				if (left == 0) ready.add(c);
			}
		}
		return order;
	}

	/** The layer name carried by a variable this node reads ("model/conv2d/kernel" -> "conv2d"). */
	private static String variableRead(NodeDef n, Map<String, NodeDef> nodes) {
		for (String in : n.getInputList()) {
			NodeDef src = nodes.get(TensorNames.node(in));
			while (src != null && Set.of("ReadVariableOp", "Identity").contains(src.getOp())) src = nodes.get(TensorNames.node(src
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

package org.explainj.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.Output;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * The network's layers between input and output, in order, found from the graph's structure: a layer is
 * the group of nodes in one name scope, named after the variables it reads where it has any (Keras 3
 * renames scopes but keeps true layer names in variable names) and otherwise after its scope, without
 * the suffix Keras 3 adds to every scope. In graphs without scopes (TF1) a node that reads a variable
 * belongs to that variable's layer and any other node is a layer of its own. Its
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
	/** Name scope -> the Keras layer name it was traced under (Keras 3 adds a suffix to scopes). */
	private final Map<String, String> aliases = new HashMap<>();

	/** Built once per model by {@link ClassifierModel#layers()}. */
	LayerIndex(ClassifierModel model) {
		GraphIndex graph = model.index();
		List<String> path = graph.between(model.input().op().name(), model.output().op().name());
		Set<String> onPath = new HashSet<>(path);
		Map<String, String> scopeToLayer = new HashMap<>();
		Set<String> renamings = new HashSet<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			String variable = variableRead(graph.node(n), graph, onPath);
			if (scope != null && variable != null) {
				scopeToLayer.put(scope, variable);
				String renaming = renaming(scope, variable);
				if (renaming != null) renamings.add(renaming);
			}
		}
		// Keras 3 traces every layer in a scope with a suffix ("top_activation_1" for top_activation): where
		// every layer with variables shows the same suffix, layers without variables get it removed too.
		String suffix = renamings.size() == 1 && renamings.iterator().next().matches("_\\d+") ? renamings.iterator().next()
			: null;
		boolean inlined = path.stream().anyMatch(n -> !model.localName(n).equals(n));
		Map<String, String> layerOf = new HashMap<>();
		for (String n : path) {
			String scope = scope(model.localName(n));
			if (graph.node(n).getOp().equals("Placeholder")) continue;
			String name;
			if (scope == null && inlined) continue;
			if (scope == null) {
				// unscoped graphs (TF1): a node reading a variable belongs to its layer, any other node is one
				String variable = variableRead(graph.node(n), graph, onPath);
				name = variable != null ? variable : n;
			}
			else if (scopeToLayer.containsKey(scope)) name = scopeToLayer.get(scope);
			else {
				name = lastPart(scope);
				if (suffix != null && name.endsWith(suffix) && name.length() > suffix.length()) {
					String keras = name.substring(0, name.length() - suffix.length());
					if (!scopeToLayer.containsValue(keras)) {
						aliases.put(name, keras);
						name = keras;
					}
				}
			}
			layerOf.put(n, name);
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

	/** The layer by the name Keras shows (model.summary()) or by its name scope in the graph. */
	public Optional<Layer> find(String name) {
		Layer l = layers.get(name);
		return Optional.ofNullable(l != null ? l : layers.get(aliases.get(name)));
	}

	public Layer layer(String name) {
		Layer l = find(name).orElse(null);
		if (l == null) throw new ExplainException("The model has no layer '" + name + "'.", "Its layers are " +
			layers.keySet() + " (bin/explainj inspect lists them).");
		return l;
	}

	/** How far back from a layer's op its parameters may be computed (Keras 3 batch norm: Cast, Rsqrt, Mul). */
	private static final int PARAMETER_DEPTH = 6;

	/**
	 * The layer name carried by a variable this node reads ("model/conv2d/kernel" -> "conv2d"), directly or
	 * through ops that compute its parameters from variables only (off the input's path).
	 */
	private static String variableRead(NodeDef n, GraphIndex nodes, Set<String> onPath) {
		List<NodeDef> frontier = List.of(n);
		Set<String> seen = new HashSet<>();
		for (int depth = 0; depth < PARAMETER_DEPTH && !frontier.isEmpty(); depth++) {
			List<NodeDef> next = new ArrayList<>();
			for (NodeDef cur : frontier) {
				for (String in : cur.getInputList()) {
					String name = TensorNames.node(in);
					NodeDef src = nodes.node(name);
					if (src == null || onPath.contains(name) || !seen.add(name)) continue;
					String layer = variableLayer(src);
					if (layer != null) return layer;
					next.add(src);
				}
			}
			frontier = next;
		}
		return null;
	}

	private static String variableLayer(NodeDef src) {
		if (!Set.of("VarHandleOp", "VariableV2").contains(src.getOp())) return null;
		String shared = src.getOp().equals("VarHandleOp") ? src.getAttrOrThrow("shared_name").getS().toStringUtf8() : src
			.getName();
		String[] parts = shared.split("/");
		return parts.length >= 2 ? parts[parts.length - 2] : null;
	}

	/** What the scope part named after the layer adds to its name ("" or "_1"), null where no part is. */
	private static String renaming(String scope, String layer) {
		String[] parts = scope.split("/");
		for (int i = parts.length - 1; i >= 0; i--) {
			if (parts[i].equals(layer)) return "";
			if (parts[i].startsWith(layer) && parts[i].substring(layer.length()).matches("_\\d+")) return parts[i]
				.substring(layer.length());
		}
		return null;
	}

	private static String lastPart(String scope) {
		return scope.substring(scope.lastIndexOf('/') + 1);
	}

	private static String scope(String localName) {
		int slash = localName.lastIndexOf('/');
		return slash < 0 ? null : localName.substring(0, slash);
	}
}

package org.explainj.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The network's graph indexed once per model ({@link ClassifierModel#index()}): its nodes by name, each
 * node's data consumers, and reachability (the nodes between two, what depends on a node, what feeds
 * one). Ops that methods add later only consume the network, so the index stays valid for it.
 */
public final class GraphIndex {

	private final GraphDef graph;
	private final Map<String, NodeDef> nodes = new HashMap<>();
	private final Map<String, List<String>> consumers = new HashMap<>();

	GraphIndex(GraphDef graph) {
		this.graph = graph;
		for (NodeDef n : graph.getNodeList()) {
			nodes.put(n.getName(), n);
			for (String in : dataInputs(n)) consumers.computeIfAbsent(TensorNames.node(in), k -> new ArrayList<>()).add(n
				.getName());
		}
	}

	/** The indexed GraphDef, its nodes in the graph's order. */
	GraphDef graphDef() {
		return graph;
	}

	public NodeDef node(String name) {
		return nodes.get(name);
	}

	public List<String> consumers(String name) {
		return consumers.getOrDefault(name, List.of());
	}

	/** A node's data inputs ("node:k" references), without its control inputs. */
	public static List<String> dataInputs(NodeDef node) {
		return node.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
	}

	/** The nodes that depend on {@code from} through data edges, {@code from} included. */
	public Set<String> dependents(String from) {
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>(List.of(from));
		while (!todo.isEmpty()) {
			String n = todo.pop();
			if (seen.add(n)) todo.addAll(consumers(n));
		}
		return seen;
	}

	/** The nodes {@code to} depends on through data edges, {@code to} included. */
	public Set<String> ancestors(String to) {
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>(List.of(to));
		while (!todo.isEmpty()) {
			String n = todo.pop();
			if (seen.add(n)) for (String in : dataInputs(nodes.get(n))) todo.add(TensorNames.node(in));
		}
		return seen;
	}

	/** Nodes that depend on {@code from} and feed {@code to}, both included, in topological order. */
	public List<String> between(String from, String to) {
		Set<String> ancestors = ancestors(to);
		Set<String> onPath = new HashSet<>();
		ArrayList<String> todo = new ArrayList<>(List.of(from));
		while (!todo.isEmpty()) {
			String n = todo.remove(todo.size() - 1);
			if (!ancestors.contains(n) || !onPath.add(n)) continue;
			todo.addAll(consumers(n));
		}
		List<String> order = new ArrayList<>();
		Map<String, Integer> pending = new HashMap<>();
		ArrayList<String> ready = new ArrayList<>(List.of(from));
		while (!ready.isEmpty()) {
			String n = ready.remove(0);
			order.add(n);
			for (String c : new HashSet<>(consumers(n))) {
				if (!onPath.contains(c)) continue;
				int left = pending.computeIfAbsent(c, k -> (int) dataInputs(nodes.get(k)).stream().filter(i -> onPath.contains(
					TensorNames.node(i))).count());
				left -= (int) dataInputs(nodes.get(c)).stream().filter(i -> TensorNames.node(i).equals(n)).count();
				pending.put(c, left);
				if (left == 0) ready.add(c);
			}
		}
		return order;
	}
}

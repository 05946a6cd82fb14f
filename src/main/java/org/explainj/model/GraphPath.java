package org.explainj.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** A GraphDef's nodes with their data consumers, and the path of nodes between two of them. */
public final class GraphPath {

	private final Map<String, NodeDef> nodes = new HashMap<>();
	private final Map<String, List<String>> consumers = new HashMap<>();

	public GraphPath(GraphDef graph) {
		for (NodeDef n : graph.getNodeList()) {
			nodes.put(n.getName(), n);
			for (String in : n.getInputList()) {
				if (!in.startsWith("^")) consumers.computeIfAbsent(TensorNames.node(in), k -> new ArrayList<>()).add(n
					.getName());
			}
		}
	}

	public NodeDef node(String name) {
		return nodes.get(name);
	}

	public List<String> consumers(String name) {
		return consumers.getOrDefault(name, List.of());
	}

	/** The node a tensor reference ("node:k") comes from. */
	public static String nodeOf(String reference) {
		return TensorNames.node(reference);
	}

	/** Nodes that depend on {@code from} and feed {@code to}, both included, in topological order. */
	public List<String> between(String from, String to) {
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
				int left = pending.computeIfAbsent(c, k -> (int) nodes.get(k).getInputList().stream().filter(i -> !i
					.startsWith("^") && onPath.contains(TensorNames.node(i))).count());
				left -= (int) nodes.get(c).getInputList().stream().filter(i -> !i.startsWith("^") && TensorNames.node(i)
					.equals(n)).count();
				pending.put(c, left);
				if (left == 0) ready.add(c);
			}
		}
		return order;
	}
}

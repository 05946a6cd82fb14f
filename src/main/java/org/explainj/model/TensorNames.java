package org.explainj.model;

import org.tensorflow.Graph;
import org.tensorflow.Output;

/** GraphDef references: "node", "node:k" and control inputs "^node". */
public final class TensorNames {

	private TensorNames() {}

	/** The node a reference points to. */
	public static String node(String reference) {
		String s = reference.startsWith("^") ? reference.substring(1) : reference;
		int colon = s.indexOf(':');
		return colon < 0 ? s : s.substring(0, colon);
	}

	/** The output index k of a "node:k" reference; 0 for "node". */
	public static int index(String reference) {
		int colon = reference.lastIndexOf(':');
		return colon < 0 ? 0 : Integer.parseInt(reference.substring(colon + 1));
	}

	/** The reference "node:k". */
	public static String reference(String node, int k) {
		return node + ":" + k;
	}

	/** A reference in the "node:k" form ("node" is "node:0"), so that equal tensors have equal keys. */
	public static String canonical(String reference) {
		return reference(node(reference), index(reference));
	}

	/** The tensor a "node:k" (or "node" = "node:0") reference names in the graph. */
	public static Output<?> output(Graph graph, String reference) {
		return graph.operationOrThrow(node(reference)).output(index(reference));
	}
}

package org.explainj.model;

import org.tensorflow.Graph;
import org.tensorflow.Output;

/** GraphDef references: "node", "node:k" and control inputs "^node". */
final class TensorNames {

	private TensorNames() {}

	/** The node a reference points to. */
	static String node(String reference) {
		String s = reference.startsWith("^") ? reference.substring(1) : reference;
		int colon = s.indexOf(':');
		return colon < 0 ? s : s.substring(0, colon);
	}

	/** The tensor a "node:k" (or "node" = "node:0") reference names in the graph. */
	static Output<?> output(Graph graph, String reference) {
		int colon = reference.lastIndexOf(':');
		return colon < 0 ? graph.operationOrThrow(reference).output(0) : graph.operationOrThrow(reference.substring(0,
			colon)).output(Integer.parseInt(reference.substring(colon + 1)));
	}
}

package org.explainj.backward;

import java.util.Set;

import org.tensorflow.GraphOperation;
import org.tensorflow.Output;

/**
 * Whether a tensor of the network cannot hold negative values by the ops that make it: a ReLU-like
 * activation, possibly followed by ops that only pick, average or reshape non-negative values (pooling,
 * reshapes). A rule may then leave out the terms of negative inputs, which are exact zeros.
 */
final class NonNegative {

	/** Activations whose outputs are never negative. */
	private static final Set<String> SOURCES = Set.of("Relu", "Relu6", "Sigmoid", "Softmax", "Softplus");
	/** Ops whose output is non-negative when their first input is. */
	private static final Set<String> KEEPING = Set.of("Identity", "MaxPool", "MaxPoolV2", "AvgPool", "Reshape", "Squeeze",
		"ExpandDims", "Mean", "Max");

	private NonNegative() {}

	static boolean holds(Output<?> t) {
		Output<?> cur = t;
		while (cur.op() instanceof GraphOperation op) {
			if (SOURCES.contains(op.type())) return true;
			if (!KEEPING.contains(op.type()) || op.numInputs() < 1) return false;
			cur = op.input(0);
		}
		return false;
	}
}

package org.explainj.backward;

import java.util.Set;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

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

	/** An input split by sign; {@code negative} is null where the input cannot be negative. */
	record Parts(Operand<TFloat32> positive, Operand<TFloat32> negative) {}

	/**
	 * The positive and negative parts of a layer's input; after a ReLU the input is its own positive part
	 * and the negative part's terms, exact zeros, are left out (half the convolutions and transposes, the
	 * same numbers).
	 */
	static Parts split(Ops tf, Output<TFloat32> input) {
		return holds(input) ? new Parts(input, null) : new Parts(LinearRule.positive(tf, input), LinearRule.negative(tf,
			input));
	}

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

package org.explainj.backward;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The plain gradient through a linear layer: its transpose. */
public final class GradientRule implements LinearRule {

	@Override
	public Operand<TFloat32> back(Ops tf, LinearLayer layer, Operand<TFloat32> signal) {
		return layer.transpose(tf, signal, layer.weight());
	}
}

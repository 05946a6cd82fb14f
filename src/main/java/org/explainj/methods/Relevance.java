package org.explainj.methods;

import org.explainj.backward.BackwardWalk;
import org.explainj.backward.Composite;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Runs the backward walk for the rule-based methods. Relevance composites start from R = one-hot(target)
 * * logit (the logit of the explained class, whatever the score option says: LRP decomposes the logit);
 * gradient composites from d f_c / d logits.
 */
final class Relevance {

	private Relevance() {}

	static Operand<TFloat32> walk(AttributionContext context, Composite composite) {
		Ops tf = context.tf();
		Operand<TFloat32> seed = composite.relevance() ? tf.math.mul(tf.oneHot(context.target(), tf.constant(context
			.model().numClasses()), tf.constant(1f), tf.constant(0f)), context.logits()) : context.logitSeed();
		return new BackwardWalk(tf, context.model(), context::tensor, composite).run(context.model().logits(), seed);
	}
}

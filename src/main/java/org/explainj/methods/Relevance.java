package org.explainj.methods;

import org.explainj.ExplainException;
import org.explainj.backward.BackwardWalk;
import org.explainj.backward.Composite;
import org.explainj.model.LayerIndex;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
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
		if (composite.relevance()) requireLogit(context, "LRP and deep Taylor decompose");
		if (context.unit().isPresent()) return walkFromUnit(context, composite, context.unit().get());
		Operand<TFloat32> seed = composite.relevance() ? tf.math.mul(tf.oneHot(context.target(), tf.constant(context
			.model().numClasses()), tf.constant(1f), tf.constant(0f)), context.logits()) : context.logitSeed();
		return new BackwardWalk(tf, context.model(), context::tensor, composite).run(context.model().logits(), seed);
	}

	/** Relevance and DeepLIFT contributions are defined for the logit; another score would mislabel them. */
	static void requireLogit(AttributionContext context, String what) {
		if (context.scoreKind() != org.explainj.model.ScoreKind.LOGIT) throw new ExplainException(what +
			" the logit, not the " + context.scoreKind().cliName() + ".", "Use score logit with this method.");
	}

	/**
	 * From an internal unit: the mean of one channel of a convolutional layer (a seed of 1/(h*w) on every
	 * position of that channel), or one unit of a dense layer (a one-hot seed).
	 */
	private static Operand<TFloat32> walkFromUnit(AttributionContext context, Composite composite, Target.Unit unit) {
		Ops tf = context.tf();
		Output<TFloat32> layer = new LayerIndex(context.model()).layer(unit.layer()).unitOutput();
		Shape shape = layer.shape();
		if (shape.numDimensions() != 4 && shape.numDimensions() != 2) throw new ExplainException("Layer " + unit
			.layer() + " has output " + shape + ", neither feature maps nor a vector.", "Give a convolutional or dense " +
				"layer as LAYER:CHANNEL or LAYER:INDEX.");
		int channels = (int) shape.size(shape.numDimensions() - 1);
		if (unit.channel() >= channels) throw new ExplainException("Layer " + unit.layer() + " has " + channels +
			" channels; there is no channel " + unit.channel() + ".", "Use a channel from 0 to " + (channels - 1) + ".");
		Output<TFloat32> here = context.tensor(layer);
		Operand<TFloat32> oneHot = tf.oneHot(tf.constant(unit.channel()), tf.constant(channels), tf.constant(1f), tf
			.constant(0f));
		Operand<TFloat32> seed;
		if (shape.numDimensions() == 2) seed = tf.math.mul(tf.onesLike(here), oneHot);
		else {
			Operand<TFloat32> positions = tf.dtypes.cast(tf.math.mul(tf.gather(tf.shape(here), tf.constant(1), tf.constant(
				0)), tf.gather(tf.shape(here), tf.constant(2), tf.constant(0))), TFloat32.class);
			seed = tf.math.div(tf.math.mul(tf.onesLike(here), tf.reshape(oneHot, tf.constant(new int[] { 1, 1, 1,
				channels }))), positions);
		}
		return new BackwardWalk(tf, context.model(), context::tensor, composite).run(layer, seed);
	}
}

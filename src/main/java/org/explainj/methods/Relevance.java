package org.explainj.methods;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;
import org.explainj.backward.BackwardWalk;
import org.explainj.backward.Composite;
import org.explainj.backward.LinearRule;
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
		// relevance starts as the target's logit (the score is the logit there)
		Operand<TFloat32> seed = context.logitSeed();
		if (composite.relevance()) seed = tf.math.mul(seed, context.logits());
		return run(context, composite, context.model().logits(), seed);
	}

	/** The walk from {@code start}; for relevance, the conservation diagnostics are reported with the map. */
	private static Operand<TFloat32> run(AttributionContext context, Composite composite, Output<TFloat32> start,
		Operand<TFloat32> seed)
	{
		Ops tf = context.tf();
		BackwardWalk walk = new BackwardWalk(tf, context.model(), context::tensor, composite);
		Operand<TFloat32> map = walk.run(start, seed);
		if (composite.relevance()) {
			Operand<TFloat32> entered = LinearRule.perImage(tf, seed);
			context.report(CONSERVATION, tf.math.div(LinearRule.perImage(tf, map), entered));
			context.report(ABSORBED, tf.math.div(walk.absorbed(seed), entered));
		}
		return map;
	}

	/** sum(R) / f(x): the share of the explained logit the map holds (docs/METHODS.md 2.3). */
	static final String CONSERVATION = "conservation";
	/** The share of f(x) that the layers' rules kept back: biases, stabilisers, contributions a rule drops. */
	static final String ABSORBED = "absorbed";
	/** conservation + absorbed may miss 1 by this much (float32 round-off) before relevance counts as lost. */
	static final double LOST = 0.01;

	/** Why rules create relevance: a bias that lowers z makes the inputs' share exceed the score. */
	static final String CREATED_HINT = "Negative biases make the inputs' share exceed the score; lrp-zplus and " +
		"deep-taylor ignore biases.";

	/**
	 * Warnings from the conservation diagnostics of a relevance map: relevance lost or created outside the
	 * rules; a score mostly absorbed (or created) by the rules ({@code absorbedHint} says what to change).
	 */
	static List<String> notes(Explanation e, String title, String absorbedHint) {
		List<String> notes = new ArrayList<>();
		float[] kept = e.diagnostics().get(CONSERVATION), absorbed = e.diagnostics().get(ABSORBED);
		if (kept == null || absorbed == null) return notes;
		List<Integer> lost = new ArrayList<>(), swallowed = new ArrayList<>();
		for (int i = 0; i < e.n(); i++) {
			if (!Double.isFinite(kept[i]) || Math.abs(kept[i] + absorbed[i] - 1) > LOST) lost.add(i);
			else if (Math.abs(absorbed[i]) > 0.5) swallowed.add(i);
		}
		if (!lost.isEmpty()) {
			int i = lost.get(0);
			notes.add(String.format(Locale.ROOT, "%s lost or created relevance outside its rules in %d of %d images (image " +
				"%d: the map sums to %.4g f(x), the rules absorbed %.4g f(x)): the map is not a decomposition of the " +
				"score on this model.", title, lost.size(), e.n(), i + 1, kept[i], absorbed[i]));
		}
		if (!swallowed.isEmpty()) {
			int i = swallowed.get(0);
			notes.add(String.format(Locale.ROOT, "%s: the rules %s %.0f%% of the score in %d of %d images (image %d: the " +
				"map sums to %.4g f(x)). %s", title, absorbed[i] > 0 ? "absorbed" : "created", 100 * Math.abs(absorbed[i]),
				swallowed.size(), e.n(), i + 1, kept[i], absorbed[i] > 0 ? absorbedHint : CREATED_HINT));
		}
		return notes;
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
		Output<TFloat32> layer = context.model().layers().layer(unit.layer()).unitOutput();
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
		return run(context, composite, layer, seed);
	}
}

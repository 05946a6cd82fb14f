package org.explainj.methods;

import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The ops every method starts from: the model input, the requested target per sample (fed, -1 = the
 * predicted class, resolved in the graph), the target's score and its gradient w.r.t. the input.
 */
public final class AttributionContext {

	private final Ops tf;
	private final ClassifierModel model;
	private final MethodSettings settings;
	private final Placeholder<TInt32> requestedTarget;
	private final Operand<TFloat32> scores;
	private final Operand<TInt32> predicted;
	private final Operand<TInt32> target;
	private final Operand<TFloat32> targetScore;
	private Operand<TFloat32> gradient;

	AttributionContext(Ops tf, ClassifierModel model, ScoreKind kind, MethodSettings settings) {
		this.tf = tf;
		this.model = model;
		this.settings = settings;
		this.requestedTarget = tf.withName("target").placeholder(TInt32.class);
		this.scores = model.scores(tf, kind);
		this.predicted = tf.dtypes.cast(tf.math.argMax(model.logits(), tf.constant(1), TInt64.class), TInt32.class);
		this.target = tf.select(tf.math.less(requestedTarget, tf.constant(0)), predicted, requestedTarget);
		Operand<TFloat32> oneHot = tf.oneHot(target, tf.constant(model.numClasses()), tf.constant(1f), tf.constant(0f));
		this.targetScore = tf.reduceSum(tf.math.mul(scores, oneHot), tf.constant(1));
	}

	public Ops tf() { return tf; }

	public ClassifierModel model() { return model; }

	/** The method's parameter values for this graph. */
	public MethodSettings settings() { return settings; }

	public Output<TFloat32> input() { return model.input(); }

	Placeholder<TInt32> requestedTarget() { return requestedTarget; }

	/** All classes' scores [N,K] of the chosen kind. */
	public Operand<TFloat32> scores() { return scores; }

	/** The predicted class per sample (argmax of the logits). */
	public Operand<TInt32> predicted() { return predicted; }

	/** The explained class per sample. */
	public Operand<TInt32> target() { return target; }

	/** The explained score f_c(x) per sample, [N]. */
	public Operand<TFloat32> targetScore() { return targetScore; }

	/**
	 * d f_c / d x for every sample at once: samples are independent, so the gradient of the batch sum is
	 * the per-sample gradient.
	 */
	public Operand<TFloat32> gradient() {
		if (gradient == null) gradient = gradient(model.input());
		return gradient;
	}

	/** d f_c / d t for any tensor t between input and output, e.g. a layer's activations (Grad-CAM). */
	public Operand<TFloat32> gradient(Output<TFloat32> tensor) {
		Output<?> total = tf.reduceSum(targetScore, tf.constant(0), ReduceSum.keepDims(false)).asOutput();
		return model.graph().addGradients(total, new Output<?>[] { tensor })[0].expect(TFloat32.class);
	}
}

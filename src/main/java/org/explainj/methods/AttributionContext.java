package org.explainj.methods;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.explainj.backward.BackwardWalk;
import org.explainj.backward.Composite;
import org.explainj.backward.ReluRule;
import org.explainj.model.ClassifierModel;
import org.explainj.model.NetworkCopy;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The ops every method starts from: the input, the explained class per sample (fed, -1 = the predicted
 * class, resolved in the graph), its score and gradient. The root context is the network on the fed
 * batch; {@link #on} derives one on generated inputs (a path, noisy or occluded copies, k per sample)
 * through a {@link NetworkCopy}, so that any method can run on them: that is how a noise tunnel wraps
 * any method.
 * <p>
 * Per-call numbers (epsilon, noise, a constant baseline ...) are fed, not compiled into the graph:
 * {@link #scalar} gives the explained method a placeholder that the {@link Explainer} fills from the
 * settings of every run, so one graph serves a whole parameter sweep. Methods that sum over many parts
 * (path points, noisy samples) read the parts of a run from {@link #partIndices}: the explainer feeds
 * them in chunks, so that memory does not grow with the number of parts.
 */
public final class AttributionContext {

	private final Ops tf;
	private final ClassifierModel model;
	private final ScoreKind kind;
	private final MethodSettings settings;
	private final Target.Unit unit;
	private final AttributionContext root;
	private final Operand<TFloat32> input;
	private final NetworkCopy copy;
	private final Operand<TInt32> repeats;
	// weight of one row of this context in its image's reported numbers
	private final Operand<TFloat32> rowWeight;
	private final Operand<TFloat32> scores;
	private final Operand<TInt32> predicted;
	private final Operand<TInt32> target;
	// the target class of each row as a one-hot row over the classes, [N,K]
	private final Operand<TFloat32> targetOneHot;
	private final Operand<TFloat32> targetScore;
	private Operand<TFloat32> gradient;
	// root only
	private final Placeholder<TInt32> requestedTarget;
	private final Map<String, Operand<TFloat32>> diagnostics;
	private final List<Operand<TFloat32>> oncePerImage;
	private Placeholder<TFloat32> reference;
	private final Map<String, Placeholder<TFloat32>> fedScalars;
	private final Map<String, Placeholder<TInt64>> fedWholeNumbers;
	private final Map<String, Placeholder<TFloat32>> fedPartValues;
	private Placeholder<TInt32> fedPartIndices;

	AttributionContext(Ops tf, ClassifierModel model, ScoreKind kind, MethodSettings settings, Target.Unit unit) {
		this.tf = tf;
		this.model = model;
		this.kind = kind;
		this.settings = settings;
		this.unit = unit;
		this.root = this;
		this.input = model.input();
		this.copy = null;
		this.repeats = tf.constant(1);
		this.rowWeight = tf.constant(1f);
		this.requestedTarget = tf.withName("target").placeholder(TInt32.class);
		this.diagnostics = new LinkedHashMap<>();
		this.oncePerImage = new ArrayList<>();
		this.fedScalars = new LinkedHashMap<>();
		this.fedWholeNumbers = new LinkedHashMap<>();
		this.fedPartValues = new LinkedHashMap<>();
		this.scores = model.scores(tf, kind);
		this.predicted = tf.dtypes.cast(tf.math.argMax(model.logits(), tf.constant(1), TInt64.class), TInt32.class);
		this.target = tf.select(tf.math.less(requestedTarget, tf.constant(0)), predicted, requestedTarget);
		this.targetOneHot = oneHot(target);
		this.targetScore = pick(scores, targetOneHot);
	}

	private AttributionContext(AttributionContext parent, Operand<TFloat32> inputs, Operand<TInt32> repeats,
		Operand<TFloat32> rowShare, MethodSettings settings)
	{
		this.tf = parent.tf;
		this.model = parent.model;
		this.kind = parent.kind;
		this.settings = settings;
		this.unit = parent.unit;
		this.root = parent.root;
		this.input = shaped(tf, inputs, model.input().shape());
		this.copy = NetworkCopy.apply(model, input);
		this.repeats = tf.math.mul(parent.repeats, repeats);
		this.rowWeight = tf.math.mul(parent.rowWeight, rowShare);
		this.requestedTarget = null;
		this.diagnostics = null;
		this.oncePerImage = null;
		this.fedScalars = null;
		this.fedWholeNumbers = null;
		this.fedPartValues = null;
		this.scores = model.scores(tf, kind, copy.of(model.logits()));
		this.predicted = repeat(parent.predicted, repeats);
		this.target = repeat(parent.target, repeats);
		this.targetOneHot = oneHot(target);
		this.targetScore = pick(scores, targetOneHot);
	}

	private AttributionContext(AttributionContext same, MethodSettings settings) {
		this.tf = same.tf;
		this.model = same.model;
		this.kind = same.kind;
		this.settings = settings;
		this.unit = same.unit;
		this.root = same.root;
		this.input = same.input;
		this.copy = same.copy;
		this.repeats = same.repeats;
		this.rowWeight = same.rowWeight;
		this.requestedTarget = same.requestedTarget;
		this.diagnostics = same.diagnostics;
		this.oncePerImage = same.oncePerImage;
		this.fedScalars = same.fedScalars;
		this.fedWholeNumbers = same.fedWholeNumbers;
		this.fedPartValues = same.fedPartValues;
		this.scores = same.scores;
		this.predicted = same.predicted;
		this.target = same.target;
		this.targetOneHot = same.targetOneHot;
		this.targetScore = same.targetScore;
		this.gradient = same.gradient;
	}

	/**
	 * The network on {@code inputs}, which hold {@code k} consecutive rows per sample of this context
	 * (targets are repeated accordingly), with the settings of the method that will run on it. With k = 1,
	 * {@code inputs} may also be one row [1,H,W,C] that every sample shares (a common baseline): its tensors
	 * then broadcast against this context's, and its target score is each sample's target on that row.
	 */
	public AttributionContext on(Operand<TFloat32> inputs, int k, MethodSettings methodSettings) {
		return on(inputs, tf.constant(k), tf.constant(1f / k), methodSettings);
	}

	/**
	 * The same for a number of rows known only when the graph runs (a chunk of parts); each row counts
	 * {@code rowShare} in its image's reported numbers (1/k for a mean over the k rows).
	 */
	public AttributionContext on(Operand<TFloat32> inputs, Operand<TInt32> k, Operand<TFloat32> rowShare,
		MethodSettings methodSettings)
	{
		return new AttributionContext(this, inputs, k, rowShare, methodSettings);
	}

	/**
	 * Generated inputs (path points, noisy copies) carry the model input's static height, width and channels:
	 * TensorFlow's shape inference then knows every layer's shape in the copy, which the transposes need to
	 * take their fast form (a convolution's channels rule out groups). The values are unchanged.
	 */
	private static Operand<TFloat32> shaped(Ops tf, Operand<TFloat32> inputs, Shape model) {
		Shape s = inputs.shape();
		if (model.numDimensions() != 4 || (s.numDimensions() == 4 && s.size(1) >= 0 && s.size(2) >= 0 && s.size(3) >= 0))
			return inputs;
		return tf.ensureShape(inputs, Shape.of(-1, model.size(1), model.size(2), model.size(3)));
	}

	private Operand<TInt32> repeat(Operand<TInt32> perSample, Operand<TInt32> k) {
		Operand<TInt32> multiples = tf.concat(List.of(tf.constant(new int[] { 1 }), tf.reshape(k, tf.constant(
			new int[] { 1 }))), tf.constant(0));
		return tf.reshape(tf.tile(tf.expandDims(perSample, tf.constant(1)), multiples), tf.constant(new int[] { -1 }));
	}

	private Operand<TFloat32> oneHot(Operand<TInt32> classes) {
		return tf.oneHot(classes, tf.constant(model.numClasses()), tf.constant(1f), tf.constant(0f));
	}

	/** Each row's score of its class (a one-hot row; scores of one row broadcast against them). */
	private Operand<TFloat32> pick(Operand<TFloat32> all, Operand<TFloat32> oneHot) {
		return tf.reduceSum(tf.math.mul(all, oneHot), tf.constant(1));
	}

	public Ops tf() { return tf; }

	public ClassifierModel model() { return model; }

	/** The method's parameter values for this graph. */
	public MethodSettings settings() { return settings; }

	/** The internal unit to explain instead of a class, if the target names one. */
	public java.util.Optional<Target.Unit> unit() { return java.util.Optional.ofNullable(unit); }

	/** The images this context explains, [N,H,W,C]. */
	public Operand<TFloat32> input() { return input; }

	/** How many rows of this context belong to one image of the fed batch. */
	public Operand<TInt32> repeats() { return repeats; }

	/** This context's version of a tensor of the network (a layer's output): itself or its copy. */
	public Output<TFloat32> tensor(Output<TFloat32> original) {
		return copy == null ? original : copy.of(original);
	}

	Placeholder<TInt32> requestedTarget() { return requestedTarget; }

	/** All classes' scores [N,K] of the chosen kind. */
	public Operand<TFloat32> scores() { return scores; }

	/** The predicted class per sample (argmax of the logits of the fed images). */
	public Operand<TInt32> predicted() { return predicted; }

	/** The explained class per sample. */
	public Operand<TInt32> target() { return target; }

	/** The explained score f_c per sample, [N]. */
	public Operand<TFloat32> targetScore() { return targetScore; }

	/** The explained score of the network on other inputs (k rows per sample), e.g. a baseline. */
	public Operand<TFloat32> targetScoreOn(Operand<TFloat32> inputs, int k) {
		return on(inputs, k, settings).targetScore();
	}

	/**
	 * d f_c / d x for every sample at once: samples are independent, so the gradient of the batch sum is
	 * the per-sample gradient.
	 */
	public Operand<TFloat32> gradient() {
		if (gradient == null) gradient = gradient(input.asOutput());
		return gradient;
	}

	/**
	 * d f_c / d t for any tensor t between input and output, e.g. a layer's activations (Grad-CAM): by the
	 * backward engine's gradient transposes from the logits down, which run on TensorFlow's forward kernels
	 * (ReLUs stay fused into their convolutions, a stride-1 convolution's transpose is a convolution) and took
	 * 0.6-0.9 of the time of TensorFlow's own gradient graph; by TensorFlow's gradient registry where the walk
	 * cannot cross an op of the model. The tests check the two against each other.
	 */
	public Operand<TFloat32> gradient(Output<TFloat32> tensor) {
		try {
			return engineGradient(tensor);
		}
		catch (org.explainj.ExplainException | org.tensorflow.exceptions.TensorFlowException | IllegalArgumentException e) {
			// an op the walk cannot cross (or could not build ops for; BackwardWalkTest checks that the walk, not
			// this fallback, runs on the bundled models); what it built before stopping stays unused, once per
			// method's graph
			try {
				return tensorFlowGradient(tensor);
			}
			catch (org.tensorflow.exceptions.TensorFlowException noGradient) {
				// neither differentiates the model: the walk's sentence names the op and the methods that work
				if (e instanceof org.explainj.ExplainException walkStopped) throw walkStopped;
				throw noGradient;
			}
		}
	}

	/** The gradient by the backward engine (gradient rules), from the logits down to {@code tensor}. */
	Operand<TFloat32> engineGradient(Output<TFloat32> tensor) {
		Output<TFloat32> original = copy == null ? tensor : copy.originalOf(tensor, model.input());
		return new BackwardWalk(tf, model, this::tensor, Composite.gradient(ReluRule.GRADIENT)).run(model.logits(),
			logitSeed(), original);
	}

	/** The gradient by TensorFlow's gradient registry. */
	private Operand<TFloat32> tensorFlowGradient(Output<TFloat32> tensor) {
		Output<?> total = tf.reduceSum(targetScore, tf.constant(0), ReduceSum.keepDims(false)).asOutput();
		return model.graph().addGradients(total, new Output<?>[] { tensor })[0].expect(TFloat32.class);
	}

	/** This context's logits, [N,K]. */
	public Output<TFloat32> logits() {
		return tensor(model.logits());
	}

	/**
	 * d f_c / d logits: what enters an explicit backward pass at the logits (one-hot for the logit score,
	 * the softmax's Jacobian row for the others).
	 */
	public Operand<TFloat32> logitSeed() {
		// the logit score's is the target's one-hot row itself: no gradient graph of shape ops to run per call
		return kind == ScoreKind.LOGIT ? targetOneHot : tensorFlowGradient(logits());
	}

	/** The same tensors with another method's settings (for a method built from another, e.g. Guided Grad-CAM). */
	public AttributionContext withSettings(MethodSettings other) {
		return new AttributionContext(this, other);
	}

	/**
	 * Adds a per-image number reported with the result (e.g. the completeness gap), shape [N] of this
	 * context; inside a noise tunnel the values of an image's copies are averaged.
	 */
	public void report(String name, Operand<TFloat32> perRow) {
		Operand<TInt32> rows = tf.concat(List.of(tf.constant(new int[] { -1 }), tf.reshape(repeats, tf.constant(
			new int[] { 1 }))), tf.constant(0));
		root.diagnostics.put(name, tf.reduceSum(tf.reshape(tf.math.mul(perRow, rowWeight), rows), tf.constant(1)));
	}

	/**
	 * Marks {@code values} ([N, ...], a row per image of this context) as depending on the images alone, not
	 * on the parts of a run (e.g. the score on a baseline): a method run in parts then gets them computed
	 * once per image, in the first pass with the prediction and the target's score, and fed to its runs of
	 * parts, which need not evaluate the image again. Each marked value counts one network evaluation per
	 * image in the first pass's share of the batch size. On generated inputs (a context made by {@link #on})
	 * nothing is marked: their rows are parts.
	 */
	public Operand<TFloat32> oncePerImage(Operand<TFloat32> values) {
		if (copy == null) root.oncePerImage.add(values);
		return values;
	}

	List<Operand<TFloat32>> oncePerImageValues() { return root.oncePerImage; }

	/** The score the user asked to explain. */
	public ScoreKind scoreKind() { return kind; }

	Map<String, Operand<TFloat32>> diagnostics() { return root.diagnostics; }

	/**
	 * A reference image chosen by the user (a baseline), [1,H,W,C] in model geometry, fed with every batch.
	 */
	public Operand<TFloat32> reference() {
		if (root.reference == null) root.reference = tf.withName("reference").placeholder(TFloat32.class);
		return root.reference;
	}

	Placeholder<TFloat32> referencePlaceholder() { return root.reference; }

	/** True when this context runs the method being explained (not one it wraps with fixed settings). */
	private boolean explained() {
		return settings.method().equals(root.settings.method());
	}

	/**
	 * The value of a number parameter: fed with every run for the explained method (declare the parameter
	 * with {@link MethodParameter#fed}), a constant for a method wrapped with fixed settings.
	 */
	public Operand<TFloat32> scalar(String name) {
		if (!explained()) return tf.constant((float) settings.number(name));
		return root.fedScalars.computeIfAbsent(name, n -> tf.withName("fed_" + n).placeholder(TFloat32.class,
			Placeholder.shape(Shape.scalar())));
	}

	/** The same for a whole number (a seed), as int64. */
	public Operand<TInt64> wholeNumber(String name) {
		if (!explained()) return tf.constant((long) settings.integer(name));
		return root.fedWholeNumbers.computeIfAbsent(name, n -> tf.withName("fed_" + n).placeholder(TInt64.class,
			Placeholder.shape(Shape.scalar())));
	}

	/**
	 * The indices of the parts this run covers, [P] (see {@link AttributionMethod#parts}): a chunk fed by
	 * the explainer for the explained method, all of them for a wrapped one.
	 */
	public Operand<TInt32> partIndices() {
		if (!explained()) return tf.range(tf.constant(0), tf.constant(own().parts(settings, model.height(), model.width())), tf.constant(1));
		if (root.fedPartIndices == null) root.fedPartIndices = tf.withName("fed_parts").placeholder(TInt32.class,
			Placeholder.shape(Shape.of(-1)));
		return root.fedPartIndices;
	}

	/** The per-part numbers {@code name} of {@link AttributionMethod#partValues} for {@link #partIndices}, [P]. */
	public Operand<TFloat32> partValues(String name) {
		if (!explained()) return tf.constant(own().partValues(settings).get(name));
		return root.fedPartValues.computeIfAbsent(name, n -> tf.withName("fed_part_" + n).placeholder(TFloat32.class,
			Placeholder.shape(Shape.of(-1))));
	}

	private AttributionMethod own() {
		return Methods.byName(settings.method());
	}

	Map<String, Placeholder<TFloat32>> fedScalars() { return root.fedScalars; }

	Map<String, Placeholder<TInt64>> fedWholeNumbers() { return root.fedWholeNumbers; }

	Map<String, Placeholder<TFloat32>> fedPartValues() { return root.fedPartValues; }

	Placeholder<TInt32> fedPartIndices() { return root.fedPartIndices; }
}

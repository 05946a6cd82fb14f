package org.explainj.backward;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What the op table's entries read during one backward pass: the network's tensors as the walk sees them,
 * the path, the composite and its layers (canonizer), DeepLIFT's reference if any, and the relevance
 * diagnostics the rules add to.
 */
final class Walk {

	/** How signals cross an op: as gradients, as relevance (LRP), or as DeepLIFT's multipliers. */
	enum Mode { GRADIENT, RELEVANCE, MULTIPLIERS }

	final Ops tf;
	final ClassifierModel model;
	final GraphIndex graph;
	final Composite composite;
	final Mode mode;
	/** DeepLIFT's rules, or null. */
	final DeepLift deepLift;
	/** DeepLIFT's RevealCancel rule, or null. */
	final RevealCancel revealCancel;
	final GateRule gates;
	final Canonizer canonizer;
	private final UnaryOperator<Output<TFloat32>> tensors;
	private final Set<String> path;
	private final Map<String, Canonizer.Folded> folded = new HashMap<>();
	/** The number of images, from the seed. */
	private Operand<TInt32> batch;
	/** Per image, the relevance the layers' rules kept (biases, stabilisers, dropped contributions), or null. */
	private Operand<TFloat32> absorbed;

	Walk(Ops tf, ClassifierModel model, UnaryOperator<Output<TFloat32>> tensors, Composite composite, Set<String> path,
		UnaryOperator<Output<TFloat32>> reference, boolean deepLiftMaxPool, boolean revealCancel)
	{
		this.tf = tf;
		this.model = model;
		this.graph = model.index();
		this.tensors = tensors;
		this.composite = composite;
		this.path = path;
		this.mode = composite.relevance() ? Mode.RELEVANCE : reference != null ? Mode.MULTIPLIERS : Mode.GRADIENT;
		this.deepLift = reference == null ? null : new DeepLift(this, reference, deepLiftMaxPool);
		this.revealCancel = revealCancel ? new RevealCancel(this) : null;
		this.gates = new GateRule(this);
		this.canonizer = new Canonizer(tf, model.graph(), graph, path, model.input().op().name(), this::value,
			model::localName);
	}

	/** The images' count, taken from the seed. */
	void seed(Operand<TFloat32> seed) {
		batch = tf.gather(tf.shape(seed), tf.constant(0), tf.constant(0));
	}

	/** The layer whose top node this is, with the affine ops the canonizer folds into it; null when none ends here. */
	Canonizer.Folded folded(NodeDef top) {
		if (!folded.containsKey(top.getName())) folded.put(top.getName(), canonizer.fold(top));
		return folded.get(top.getName());
	}

	boolean onPath(String reference) {
		return path.contains(TensorNames.node(reference));
	}

	GraphOperation op(NodeDef node) {
		return model.graph().operationOrThrow(node.getName());
	}

	/** A tensor of the original network ("node:k"). */
	Output<TFloat32> original(String reference) {
		return TensorNames.output(model.graph(), reference).expect(TFloat32.class);
	}

	/** A tensor of the original network as the walk runs on it. */
	Output<TFloat32> value(String reference) {
		return tensors.apply(original(reference));
	}

	Output<TFloat32> out(NodeDef node) {
		return value(node.getName());
	}

	/**
	 * An int input that does not depend on the image (window sizes, strides, axes): shared by every copy.
	 * Graphs may write it as int64 (a mean's axes, paddings); the engine's shape ops take int32.
	 */
	Output<TInt32> constant(String reference) {
		Output<?> value = model.graph().operationOrThrow(TensorNames.node(reference)).output(0);
		return value.dataType() == org.tensorflow.proto.DataType.DT_INT64 ? tf.dtypes.cast(value, TInt32.class).asOutput()
			: value.expect(TInt32.class);
	}

	/** The values of an int input where it is a Const node, else null. */
	long[] knownValues(String reference) {
		return graph.node(TensorNames.node(reference)).getOp().equals("Const") ? constantValues(reference) : null;
	}

	/** The values of an int32 or int64 Const node. */
	long[] constantValues(String reference) {
		var value = graph.node(TensorNames.node(reference)).getAttrOrThrow("value").getTensor();
		if (value.getIntValCount() > 0) return value.getIntValList().stream().mapToLong(Integer::longValue).toArray();
		if (value.getInt64ValCount() > 0) return value.getInt64ValList().stream().mapToLong(Long::longValue).toArray();
		var bytes = value.getTensorContent().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
		if (value.getDtype() == org.tensorflow.proto.DataType.DT_INT64) {
			long[] out = new long[bytes.remaining() / 8];
			bytes.asLongBuffer().get(out);
			return out;
		}
		var ints = bytes.asIntBuffer();
		long[] out = new long[ints.remaining()];
		for (int i = 0; i < out.length; i++) out[i] = ints.get(i);
		return out;
	}

	/**
	 * Per image, the sum of a signal, [N]: images stay the leading blocks of a tensor even where a layer
	 * flattens them with the positions (a Dense layer on feature maps runs as a MatMul on [N*H*W, C]).
	 */
	Operand<TFloat32> perImage(Operand<TFloat32> v) {
		return tf.reduceSum(tf.reshape(v, tf.stack(List.of(batch, tf.constant(-1)))), tf.constant(1));
	}

	/** Relevance an op outside the layers kept back (a statistic's share of a sum): counted as absorbed. */
	void keep(Operand<TFloat32> perImage) {
		if (composite.relevance()) absorbed = absorbed == null ? perImage : tf.math.add(absorbed, perImage);
	}

	/** A layer undone by the composite's rule (the first-layer rule where it sees the pixels; docs/METHODS.md 2.3). */
	Operand<TFloat32> linearBack(Canonizer.Folded layer, Operand<TFloat32> signal) {
		LinearLayer l = layer.layer();
		boolean first = l.kind() != LinearLayer.Kind.SCALE && canonizer.seesPixels(layer.input());
		LinearRule rule = composite.rule(l, first);
		Operand<TFloat32> back = rule.back(tf, first ? l.withValid(validPixels(layer.input())) : l, signal);
		if (composite.relevance()) keep(tf.math.sub(perImage(signal), perImage(back)));
		return back;
	}

	/** For a pixel layer fed by an explicit Pad: 1 on the image, 0 on the padded border; else null. */
	private Operand<TFloat32> validPixels(String layerInput) {
		NodeDef cur = graph.node(TensorNames.node(layerInput));
		while (cur.getOp().equals("Identity")) cur = graph.node(TensorNames.node(cur.getInput(0)));
		if (!cur.getOp().equals("Pad") && !cur.getOp().equals("PadV2")) return null;
		List<String> in = GraphIndex.dataInputs(cur);
		return tf.pad(tf.onesLike(value(in.get(0))), constant(in.get(1)), tf.constant(0f));
	}

	Operand<TFloat32> absorbed() {
		return absorbed;
	}

	/**
	 * An op the walk cannot cross, named with the Keras layer (name scope) it belongs to; the hint says which
	 * methods do work on this model: the gradient family where TensorFlow's registry or the walk's gradient
	 * transposes differentiate the whole network (tried here, not assumed), the perturbation methods always.
	 */
	ExplainException cannotCross(NodeDef node, String detail) {
		boolean walkKnowsGradient = composite.relevance() && detail != null;
		boolean plainGradient = mode == Mode.GRADIENT && composite.relu() == ReluRule.GRADIENT;
		boolean gradientFamily = walkKnowsGradient || (!plainGradient && tensorFlowDifferentiates());
		return unsupported(node, model.localName(node.getName()), detail, gradientFamily ? "The gradient family " +
			"(gradient, saliency, integrated-gradients, smoothgrad, grad-cam) and the perturbation methods (occlusion, " +
			"rise, sobol) work on this model." : "Only the perturbation methods (occlusion, rise, sobol) work on this model.");
	}

	/** Whether TensorFlow's own gradient registry differentiates the logits with respect to the input. */
	private boolean tensorFlowDifferentiates() {
		try {
			model.graph().addGradients(tf.reduceSum(model.logits(), tf.constant(new int[] { 0, 1 })).asOutput(),
				new Output<?>[] { model.input() });
			return true;
		}
		catch (org.tensorflow.exceptions.TensorFlowException e) {
			return false;
		}
	}

	/**
	 * An op the rules cannot take, given the node's name in the model's own graph (before inlining): its
	 * Keras layer is the name scope below the model's own, e.g. se_excite_1 in model/se_excite_1/Mul.
	 */
	static ExplainException unsupported(NodeDef node, String localName, String detail, String hint) {
		String[] parts = localName.split("/");
		String layer = parts.length >= 3 ? parts[1] : parts[0];
		return new ExplainException("The backward pass cannot go through op " + node.getOp() + " in layer '" + layer +
			"' (node '" + localName + "')" + (detail == null ? "" : ": " + detail) + ".", hint);
	}
}

package org.explainj.backward;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.GraphPath;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * An explicit backward pass: walks the network from a tensor back to the input and emits TensorFlow ops
 * per node, so that the ReLU step can follow a {@link ReluRule} (TensorFlow Java cannot replace the
 * gradient of Relu). Linear nodes use their transposes (Conv2DBackpropInput, MatMul with the weight
 * transposed, MaxPoolGrad with TensorFlow's first-maximum switches, AvgPoolGrad). With
 * {@link ReluRule#GRADIENT} the walk equals TensorFlow's own gradient, which the tests check.
 */
public final class BackwardWalk {

	private final Ops tf;
	private final ClassifierModel model;
	private final UnaryOperator<Output<TFloat32>> tensors;
	private final Composite composite;
	private final GraphPath graph;
	/** The network's tensors on the reference input (DeepLIFT), or null. */
	private UnaryOperator<Output<TFloat32>> reference;
	/** False: DeepLIFT with plain gradient routing through max pooling (Captum's behaviour). */
	private boolean deepLiftMaxPool;
	private java.util.Set<String> path = java.util.Set.of();
	/** Finds the layers on the path; made with the path. */
	private Canonizer canonizer;
	/** The number of images, from the seed. */
	private Operand<TInt32> batch;
	/** Per image, the relevance the layers' rules kept (biases, stabilisers, dropped contributions), or null. */
	private Operand<TFloat32> absorbed;
	/** DeepLIFT's RevealCancel rule for nonlinearities instead of rescale. */
	private boolean revealCancel;
	/**
	 * RevealCancel's multipliers of the negative parts, by tensor, where they differ from the positive
	 * parts' (held in the walk's signals): the multipliers a nonlinearity sends to its input.
	 */
	private final Map<String, Operand<TFloat32>> negativeSignals = new HashMap<>();

	/**
	 * @param tensors maps a tensor of the original network to the one the walk runs on (itself, or its
	 *          copy in a {@link org.explainj.model.NetworkCopy})
	 */
	public BackwardWalk(Ops tf, ClassifierModel model, UnaryOperator<Output<TFloat32>> tensors, Composite composite) {
		this.tf = tf;
		this.model = model;
		this.tensors = tensors;
		this.composite = composite;
		this.graph = model.nodes();
	}

	/**
	 * Switches nonlinearities (rescale rule) and, if asked, max pooling to DeepLIFT's rules, given the
	 * network's tensors on the reference input (the same network run on x0, e.g. through a NetworkCopy).
	 */
	public BackwardWalk withReference(UnaryOperator<Output<TFloat32>> referenceTensors, boolean deepLiftMaxPool) {
		this.reference = referenceTensors;
		this.deepLiftMaxPool = deepLiftMaxPool;
		return this;
	}

	/**
	 * DeepLIFT's RevealCancel rule (Shrikumar et al. 2017) for nonlinearities, after {@link #withReference}:
	 * the input difference of a nonlinearity is split into its positive and negative parts dx+ and dx-
	 * (below a linear layer: the sums of its positive and negative terms w da), each gets its Shapley-style
	 * share of dy and its own multiplier dy+/dx+, dy-/dx-, and the linear layer below sends each term back
	 * with the multiplier of the part it fed (docs/METHODS.md 2.6).
	 */
	public BackwardWalk withRevealCancel() {
		if (reference == null) throw new IllegalStateException("RevealCancel needs the reference network");
		this.revealCancel = true;
		return this;
	}

	/**
	 * The signal at the model input when {@code seed} enters at {@code start}, a tensor of the original
	 * network (the walk follows the original's structure and runs on the tensors it is mapped to).
	 */
	public Operand<TFloat32> run(Output<TFloat32> start, Operand<TFloat32> seed) {
		return run(start, seed, model.input());
	}

	/** The signal at {@code end}, a tensor of the original network below {@code start} (the model input, a layer). */
	public Operand<TFloat32> run(Output<TFloat32> start, Operand<TFloat32> seed, Output<TFloat32> end) {
		String input = end.op().name() + ":" + end.index();
		List<String> order = onPathTo(start, end.op().name());
		Map<String, Operand<TFloat32>> signals = new HashMap<>();
		signals.put(start.op().name() + ":" + start.index(), seed);
		batch = tf.gather(tf.shape(seed), tf.constant(0), tf.constant(0));
		for (int i = order.size() - 1; i > 0; i--) {
			String name = order.get(i);
			NodeDef node = graph.node(name);
			List<String> inputs = Canonizer.dataInputs(node);
			if (node.getOp().equals("IdentityN")) {
				// each output is its input (Keras 3's swish wraps x * sigmoid(x) this way for a custom gradient)
				for (int k = 0; k < inputs.size(); k++) {
					Operand<TFloat32> gk = signals.remove(name + ":" + k);
					if (gk != null) send(signals, inputs.get(k), gk, negativeSignals.remove(name + ":" + k));
				}
				continue;
			}
			Operand<TFloat32> g = signals.remove(name + ":0");
			if (g == null) continue;
			Operand<TFloat32> negative = negativeSignals.remove(name + ":0");
			if (negative != null) {
				Canonizer.Folded layer = canonizer.fold(node);
				if (layer != null) {
					send(signals, layer.input(), revealCancelLinear(layer, g, negative), null);
					continue;
				}
				if (node.getOp().equals("Identity") || node.getOp().equals("Snapshot")) {
					send(signals, inputs.get(0), g, negative);
					continue;
				}
				g = byPart(tf.math.sub(out(node), reference.apply(original(name))), g, negative);
			}
			Canonizer.Folded folded = canonizer.fold(node);
			if (folded != null) {
				// bias and batch norm belong to the linear layer below: the rule sees their z and the signal goes
				// straight to that layer's input
				send(signals, folded.input(), linearBack(folded, g), null);
				continue;
			}
			if (revealCancel && NONLINEAR.contains(node.getOp())) {
				Operand<TFloat32>[] parts = revealCancel(node, inputs, g);
				send(signals, inputs.get(0), parts[0], parts[1]);
				continue;
			}
			Operand<TFloat32>[] back = step(node, inputs, g);
			for (int k = 0; k < back.length; k++) {
				if (back[k] == null || !onPath(inputs.get(k))) continue;
				send(signals, inputs.get(k), back[k], null);
			}
		}
		Operand<TFloat32> atInput = signals.get(input);
		Operand<TFloat32> negativeAtInput = negativeSignals.remove(input);
		if (negativeAtInput != null) atInput = byPart(tf.math.sub(value(input), reference.apply(original(input))), atInput,
			negativeAtInput);
		return atInput != null ? atInput : tf.zerosLike(tensors.apply(end));
	}

	private static final Set<String> NONLINEAR = Set.of("Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh");

	/**
	 * Adds a signal for a tensor: one multiplier ({@code negative} null) or RevealCancel's pair, the
	 * multipliers of the positive and the negative part; a single multiplier adds to both parts of a pair.
	 */
	private void send(Map<String, Operand<TFloat32>> signals, String tensor, Operand<TFloat32> positive,
		Operand<TFloat32> negative)
	{
		String ref = tensor.contains(":") ? tensor : tensor + ":0";
		Operand<TFloat32> single = signals.get(ref), pairNegative = negativeSignals.get(ref);
		if (negative != null) negativeSignals.put(ref, pairNegative != null ? tf.math.add(pairNegative, negative)
			: single != null ? tf.math.add(single, negative) : negative);
		else if (pairNegative != null) negativeSignals.put(ref, tf.math.add(pairNegative, positive));
		signals.merge(ref, positive, (a, c) -> tf.math.add(a, c));
	}

	/** The difference from the reference of a linear layer's input. */
	private Operand<TFloat32> inputDifference(Canonizer.Folded layer) {
		return tf.math.sub(layer.layer().input(), reference.apply(original(layer.input())));
	}

	/**
	 * dz+ and dz- of a tensor: below a linear layer the sums of its positive and its negative terms w da
	 * (bias and batch norm shift cancel in the difference); elsewhere the positive and negative part of dz.
	 */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] parts(String tensor) {
		NodeDef producer = graph.node(GraphPath.nodeOf(tensor));
		while (producer.getOp().equals("Identity") || producer.getOp().equals("Snapshot")) producer = graph.node(GraphPath
			.nodeOf(producer.getInput(0)));
		Canonizer.Folded layer = canonizer.fold(producer);
		if (layer == null) {
			Operand<TFloat32> dz = tf.math.sub(value(tensor), reference.apply(original(tensor)));
			return new Operand[] { LinearRule.positive(tf, dz), LinearRule.negative(tf, dz) };
		}
		LinearLayer l = layer.layer();
		Operand<TFloat32> da = inputDifference(layer);
		Operand<TFloat32> up = LinearRule.positive(tf, da), down = LinearRule.negative(tf, da);
		Operand<TFloat32> wUp = LinearRule.positive(tf, l.weight()), wDown = LinearRule.negative(tf, l.weight());
		return new Operand[] { tf.math.add(l.forward(tf, up, wUp), l.forward(tf, down, wDown)), tf.math.add(l.forward(tf,
			up, wDown), l.forward(tf, down, wUp)) };
	}

	/**
	 * RevealCancel at a nonlinearity y = f(x), upstream multiplier g: dy+ = (f(x0 + dx+) - y0 + y - f(x0 +
	 * dx-)) / 2, dy- = (f(x0 + dx-) - y0 + y - f(x0 + dx+)) / 2 (so dy+ + dy- = y - y0), and multipliers
	 * g dy+/dx+ and g dy-/dx- (the local derivative times g where a part is below 1e-7).
	 */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] revealCancel(NodeDef node, List<String> inputs, Operand<TFloat32> g) {
		GraphOperation op = model.graph().operationOrThrow(node.getName());
		Output<TFloat32> y = out(node);
		Output<TFloat32> x0 = reference.apply(original(inputs.get(0))), y0 = reference.apply(original(node.getName()));
		Operand<TFloat32>[] dx = parts(inputs.get(0));
		Operand<TFloat32> fUp = Transposes.apply(tf, op, tf.math.add(x0, dx[0]), null);
		Operand<TFloat32> fDown = Transposes.apply(tf, op, tf.math.add(x0, dx[1]), null);
		Operand<TFloat32> half = tf.constant(0.5f);
		Operand<TFloat32> dyUp = tf.math.mul(half, tf.math.add(tf.math.sub(fUp, y0), tf.math.sub(y, fDown)));
		Operand<TFloat32> dyDown = tf.math.mul(half, tf.math.add(tf.math.sub(fDown, y0), tf.math.sub(y, fUp)));
		Operand<TFloat32> local = activationBack(node, op, inputs, g, false);
		return new Operand[] { ratio(tf.math.mul(g, dyUp), dx[0], local), ratio(tf.math.mul(g, dyDown), dx[1], local) };
	}

	/** a / b, or {@code fallback} where |b| < 1e-7. */
	private Operand<TFloat32> ratio(Operand<TFloat32> a, Operand<TFloat32> b, Operand<TFloat32> fallback) {
		return tf.select(tf.math.less(tf.math.abs(b), tf.constant(1e-7f)), fallback, tf.math.divNoNan(a, b));
	}

	/**
	 * RevealCancel through a linear layer z = W a + b given the multipliers m+ and m- of dz+ and dz-: the
	 * term w da went to dz+ when it is positive, so an input with da > 0 gets W+^T m+ + W-^T m-, one with
	 * da < 0 gets W-^T m+ + W+^T m-, one with da = 0 the mean W^T (m+ + m-) / 2.
	 */
	private Operand<TFloat32> revealCancelLinear(Canonizer.Folded layer, Operand<TFloat32> up, Operand<TFloat32> down) {
		LinearLayer l = layer.layer();
		Operand<TFloat32> wUp = LinearRule.positive(tf, l.weight()), wDown = LinearRule.negative(tf, l.weight());
		Operand<TFloat32> rising = tf.math.add(l.transpose(tf, up, wUp), l.transpose(tf, down, wDown));
		Operand<TFloat32> falling = tf.math.add(l.transpose(tf, up, wDown), l.transpose(tf, down, wUp));
		Operand<TFloat32> still = l.transpose(tf, tf.math.mul(tf.constant(0.5f), tf.math.add(up, down)), l.weight());
		Operand<TFloat32> da = inputDifference(layer);
		return tf.select(tf.math.greater(da, tf.zerosLike(da)), rising, tf.select(tf.math.less(da, tf.zerosLike(da)),
			falling, still));
	}

	/** One multiplier for a tensor from RevealCancel's pair: m+ where dz > 0, m- where dz < 0, their mean at 0. */
	private Operand<TFloat32> byPart(Operand<TFloat32> dz, Operand<TFloat32> up, Operand<TFloat32> down) {
		return tf.select(tf.math.greater(dz, tf.zerosLike(dz)), up, tf.select(tf.math.less(dz, tf.zerosLike(dz)), down, tf
			.math.mul(tf.constant(0.5f), tf.math.add(up, down))));
	}

	private Output<TFloat32> value(String reference) {
		String node = GraphPath.nodeOf(reference);
		int index = reference.contains(":") ? Integer.parseInt(reference.substring(reference.lastIndexOf(':') + 1)) : 0;
		return tensors.apply(model.graph().operationOrThrow(node).output(index).expect(TFloat32.class));
	}

	/** An int input that does not depend on the image (window sizes, strides): shared by every copy. */
	private Output<TInt32> constant(String reference) {
		return model.graph().operationOrThrow(GraphPath.nodeOf(reference)).output(0).expect(TInt32.class);
	}

	private Output<TFloat32> out(NodeDef node) {
		return value(node.getName());
	}

	/** The signal for each data input of the node (null where nothing flows back). */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] step(NodeDef node, List<String> inputs, Operand<TFloat32> g) {
		Operand<TFloat32>[] back = new Operand[inputs.size()];
		GraphOperation op = model.graph().operationOrThrow(node.getName());
		boolean relevance = composite.relevance();
		boolean proportional = composite.averagePool() == Composite.Pooling.PROPORTIONAL;
		switch (node.getOp()) {
			case "Identity", "Snapshot", "BiasAdd", "Cast" -> back[0] = g;
			// DeepLIFT compares whole networks: the value still changes with the input (summation-to-delta)
			case "StopGradient" -> back[0] = reference != null && !relevance ? g : null;
			case "Reshape", "Squeeze", "ExpandDims" -> back[0] = tf.reshape(g, tf.shape(value(inputs.get(0))));
			case "Transpose" -> back[0] = Transposes.transposeBack(tf, constant(inputs.get(1)), g);
			case "StridedSlice" -> back[0] = Transposes.stridedSliceBack(tf, op, value(inputs.get(0)), constant(inputs.get(
				1)), constant(inputs.get(2)), constant(inputs.get(3)), g);
			case "Tile" -> back[0] = Transposes.tileBack(tf, value(inputs.get(0)), constant(inputs.get(1)), g);
			case "ResizeNearestNeighbor" -> back[0] = tf.image.resizeNearestNeighborGrad(g, tf.slice(tf.shape(value(inputs
				.get(0))), tf.constant(new int[] { 1 }), tf.constant(new int[] { 2 })), org.tensorflow.op.image
					.ResizeNearestNeighborGrad.alignCorners(op.attributes().getAttrBool("align_corners")), org.tensorflow.op
						.image.ResizeNearestNeighborGrad.halfPixelCenters(op.attributes().getAttrBool("half_pixel_centers")));
			case "ResizeBilinear" -> {
				Output<TFloat32> x = value(inputs.get(0));
				var align = org.tensorflow.op.image.ResizeBilinearGrad.alignCorners(op.attributes().getAttrBool(
					"align_corners"));
				var half = org.tensorflow.op.image.ResizeBilinearGrad.halfPixelCenters(op.attributes().getAttrBool(
					"half_pixel_centers"));
				back[0] = proportional ? tf.math.mul(x, tf.image.resizeBilinearGrad(LinearRule.divide(tf, g, out(node)), x, align,
					half)) : tf.image.resizeBilinearGrad(g, x, align, half);
			}
			case "Add", "AddV2", "Sub" -> sumBack(node, inputs, g, back);
			case "Mul" -> productBack(node, inputs, g, back);
			case "RealDiv", "Div" -> quotientBack(node, inputs, g, back);
			case "SquaredDifference" -> {
				if (relevance) throw cannotCross(node, "a squared difference outside a normalisation's statistics");
				// DeepLIFT: (a - b)^2 - (a0 - b0)^2 = [(a - b) + (a0 - b0)] (Da - Db), exact
				Operand<TFloat32> diff = tf.math.sub(value(inputs.get(0)), value(inputs.get(1)));
				Operand<TFloat32> twice = reference == null ? tf.math.mul(tf.constant(2f), diff) : tf.math.add(diff, tf.math.sub(
					reference.apply(original(inputs.get(0))), reference.apply(original(inputs.get(1)))));
				back[0] = Transposes.unbroadcast(tf, tf.math.mul(g, twice), value(inputs.get(0)));
				back[1] = Transposes.unbroadcast(tf, tf.math.neg(tf.math.mul(g, twice)), value(inputs.get(1)));
			}
			case "MaxPool", "MaxPoolV2" -> {
				canonizer.nhwc(node, op);
				back[0] = composite.maxPool() == Composite.Pooling.PROPORTIONAL ? proportionalPool(node, inputs, g)
					: maxPoolBack(node, op, inputs, g);
			}
			case "AvgPool" -> {
				canonizer.nhwc(node, op);
				back[0] = proportional ? tf.math.mul(value(inputs.get(0)), avgPoolBack(op, inputs, LinearRule.divide(tf, g, out(
					node)))) : avgPoolBack(op, inputs, g);
			}
			case "Mean" -> {
				Output<TFloat32> x = value(inputs.get(0));
				back[0] = proportional ? tf.math.mul(x, Transposes.meanBack(tf, x, constant(inputs.get(1)), LinearRule.divide(tf,
					g, out(node)))) : Transposes.meanBack(tf, x, constant(inputs.get(1)), g);
			}
			case "Max" -> back[0] = reference != null && deepLiftMaxPool ? maxDeepLift(node, inputs, g) : Transposes.maxBack(tf,
				value(inputs.get(0)), constant(inputs.get(1)), g);
			case "Pad", "PadV2" -> back[0] = padBack(inputs, g);
			case "ConcatV2" -> {
				Operand<TFloat32>[] parts = concatBack(inputs, g);
				System.arraycopy(parts, 0, back, 0, parts.length);
			}
			default -> {
				if (!Transposes.ELEMENTWISE.contains(node.getOp())) throw cannotCross(node, null);
				back[0] = activationBack(node, op, inputs, g);
			}
		}
		return back;
	}

	/**
	 * Add and Sub: a gradient goes to both terms (summed back over broadcast axes). Relevance is shared in
	 * proportion to each term's contribution (+-x_i / y); a term that is a gate or a normalisation
	 * statistic counts as a constant (its share stays with it, as a bias's does).
	 */
	private void sumBack(NodeDef node, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32>[] back) {
		boolean minus = node.getOp().equals("Sub");
		boolean both = onPath(inputs.get(0)) && onPath(inputs.get(1));
		if (!composite.relevance() || !both) {
			for (int k = 0; k < 2; k++) {
				Operand<TFloat32> signal = k == 1 && minus && !composite.relevance() ? tf.math.neg(g) : g;
				back[k] = both ? Transposes.unbroadcast(tf, signal, value(inputs.get(k))) : signal;
			}
			return;
		}
		Operand<TFloat32> share = LinearRule.divide(tf, g, out(node));
		Operand<TFloat32> passed = null;
		for (int k = 0; k < 2; k++) {
			if (constantLike(inputs.get(k))) continue;
			Operand<TFloat32> contribution = k == 1 && minus ? tf.math.neg(value(inputs.get(k))) : value(inputs.get(k));
			back[k] = Transposes.unbroadcast(tf, tf.math.mul(contribution, share), value(inputs.get(k)));
			passed = passed == null ? perImage(back[k]) : tf.math.add(passed, perImage(back[k]));
		}
		if (passed == null) throw cannotCross(node, "a sum of two normalisation statistics");
		keep(tf.math.sub(perImage(g), passed));
	}

	/**
	 * Mul of two tensors. A gradient follows the product rule (DeepLIFT: multipliers (b + b0) / 2 and
	 * (a + a0) / 2, which keep summation-to-delta); relevance treats a gate (sigmoid, erf, tanh, a
	 * normalisation statistic) as a constant, so that it flows whole through the signal branch (swish,
	 * GELU, squeeze-and-excitation, layer norm's scaling).
	 */
	private void productBack(NodeDef node, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32>[] back) {
		boolean both = onPath(inputs.get(0)) && onPath(inputs.get(1));
		Output<TFloat32> a = value(inputs.get(0)), b = value(inputs.get(1));
		if (composite.relevance()) {
			if (!both) {
				back[0] = g;
				back[1] = g;
				return;
			}
			boolean gateA = constantLike(inputs.get(0)), gateB = constantLike(inputs.get(1));
			if (gateA == gateB) throw cannotCross(node, "a product of two branches where neither is a gate (sigmoid, erf, " +
				"tanh) or a normalisation statistic");
			int signal = gateB ? 0 : 1;
			back[signal] = Transposes.unbroadcast(tf, g, value(inputs.get(signal)));
			return;
		}
		if (!both) {
			back[0] = tf.math.mul(g, b);
			back[1] = tf.math.mul(g, a);
			return;
		}
		Operand<TFloat32> forA = b, forB = a;
		if (reference != null) {
			Operand<TFloat32> half = tf.constant(0.5f);
			forA = tf.math.mul(half, tf.math.add(b, reference.apply(original(inputs.get(1)))));
			forB = tf.math.mul(half, tf.math.add(a, reference.apply(original(inputs.get(0)))));
		}
		back[0] = Transposes.unbroadcast(tf, tf.math.mul(g, forA), a);
		back[1] = Transposes.unbroadcast(tf, tf.math.mul(g, forB), b);
	}

	/** RealDiv: by a constant as a scale; a quotient of two branches by the quotient rule (relevance: a gate below). */
	private void quotientBack(NodeDef node, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32>[] back) {
		Output<TFloat32> a = value(inputs.get(0)), b = value(inputs.get(1));
		boolean both = onPath(inputs.get(0)) && onPath(inputs.get(1));
		if (composite.relevance()) {
			if (both && !constantLike(inputs.get(1))) throw cannotCross(node, "a division by a branch that is not a " +
				"normalisation statistic");
			back[0] = Transposes.unbroadcast(tf, g, a);
			return;
		}
		back[0] = Transposes.unbroadcast(tf, tf.math.div(g, b), a);
		if (both) back[1] = Transposes.unbroadcast(tf, tf.math.neg(tf.math.div(tf.math.mul(g, a), tf.math.square(b))), b);
	}

	/**
	 * True for a gate or a statistic: a tensor that, through element-wise ops by constants, comes from a
	 * squashing op (sigmoid, tanh, erf), a normalisation statistic ({@link #statistic mean}, reciprocal square root) or a
	 * StopGradient; relevance rules hold it constant.
	 */
	private boolean constantLike(String tensor) {
		NodeDef cur = graph.node(GraphPath.nodeOf(tensor));
		while (true) {
			if (GATES.contains(cur.getOp()) || statistic(cur)) return true;
			List<String> in = Canonizer.dataInputs(cur);
			if (Set.of("Identity", "Reshape", "ExpandDims", "Squeeze", "Neg", "Cast").contains(cur.getOp())) {
				cur = graph.node(GraphPath.nodeOf(in.get(0)));
				continue;
			}
			if (!Set.of("Mul", "Add", "AddV2", "Sub", "RealDiv").contains(cur.getOp()) || in.size() != 2) return false;
			boolean a = onPath(in.get(0)), b = onPath(in.get(1));
			if (a && b) return constantLike(in.get(0)) && constantLike(in.get(1));
			cur = graph.node(GraphPath.nodeOf(in.get(a ? 0 : 1)));
		}
	}

	private static final Set<String> GATES = Set.of("Sigmoid", "Tanh", "Erf", "Erfc", "Rsqrt", "StopGradient");

	/**
	 * A mean that is a normalisation statistic rather than a pooling: it keeps the reduced axes so that it
	 * broadcasts back against the tensor it summarises, and that tensor feeds another op on the path (x - mean,
	 * x * inv). A global average pooling (ConvNeXt's head, before its layer norm) is the signal itself.
	 */
	private boolean statistic(NodeDef node) {
		if (!node.getOp().equals("Mean") || !node.getAttrOrThrow("keep_dims").getB()) return false;
		String summarised = GraphPath.nodeOf(Canonizer.dataInputs(node).get(0));
		return graph.consumers(summarised).stream().anyMatch(c -> !c.equals(node.getName()) && path.contains(c));
	}

	/**
	 * Per image, the sum of a signal, [N]: images stay the leading blocks of a tensor even where a layer
	 * flattens them with the positions (a Dense layer on feature maps runs as a MatMul on [N*H*W, C]).
	 */
	private Operand<TFloat32> perImage(Operand<TFloat32> v) {
		return tf.reduceSum(tf.reshape(v, tf.stack(List.of(batch, tf.constant(-1)))), tf.constant(1));
	}

	/** Relevance an op outside the layers kept back (a statistic's share of a sum): counted as absorbed. */
	private void keep(Operand<TFloat32> perImage) {
		if (composite.relevance()) absorbed = absorbed == null ? perImage : tf.math.add(absorbed, perImage);
	}

	/**
	 * Element-wise nonlinearities: relevance passes unchanged; a gradient is multiplied by the local
	 * derivative (ReLUs by the composite's ReLU rule); DeepLIFT's rescale rule uses (y - y0) / (x - x0),
	 * falling back to the derivative where |x - x0| < 1e-7.
	 */
	private Operand<TFloat32> activationBack(NodeDef node, GraphOperation op, List<String> inputs, Operand<TFloat32> g) {
		return activationBack(node, op, inputs, g, reference != null);
	}

	/** {@code rescale} false: the local derivative only (what DeepLIFT falls back to at tiny differences). */
	private Operand<TFloat32> activationBack(NodeDef node, GraphOperation op, List<String> inputs, Operand<TFloat32> g,
		boolean rescale)
	{
		if (composite.passesActivations()) return g;
		Output<TFloat32> x = value(inputs.get(0)), y = out(node);
		Operand<TFloat32> exponent = node.getOp().equals("Pow") ? value(inputs.get(1)) : null;
		Operand<TFloat32> local = Transposes.derivative(tf, op, x, y, exponent);
		if (rescale) {
			Output<TFloat32> x0 = reference.apply(original(inputs.get(0))), y0 = reference.apply(original(node.getName()));
			Operand<TFloat32> dx = tf.math.sub(x, x0);
			Operand<org.tensorflow.types.TBool> close = tf.math.less(tf.math.abs(dx), tf.constant(1e-7f));
			return tf.math.mul(g, tf.select(close, local, tf.math.divNoNan(tf.math.sub(y, y0), dx)));
		}
		if (node.getOp().equals("Relu") || node.getOp().equals("Relu6")) {
			Operand<TFloat32> routed = composite.relu().relu(tf, g, x);
			return node.getOp().equals("Relu") ? routed : tf.math.mul(routed, tf.dtypes.cast(tf.math.less(x, tf.constant(
				6f)), TFloat32.class));
		}
		return tf.math.mul(g, local);
	}

	/** Zero padding undone: the signal of the padded border is dropped. */
	private Operand<TFloat32> padBack(List<String> inputs, Operand<TFloat32> g) {
		Output<TFloat32> x = value(inputs.get(0));
		Operand<TInt32> paddings = constant(inputs.get(1));
		Operand<TInt32> begin = tf.reshape(tf.slice(paddings, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1,
			1 })), tf.constant(new int[] { -1 }));
		return tf.slice(g, begin, tf.shape(x));
	}

	/** A concatenation undone: each input gets its own slice of the signal along the axis. */
	@SuppressWarnings("unchecked")
	private Operand<TFloat32>[] concatBack(List<String> inputs, Operand<TFloat32> g) {
		int n = inputs.size() - 1;
		Operand<TInt32> axis = constant(inputs.get(n));
		Operand<TFloat32>[] parts = new Operand[inputs.size()];
		Operand<TInt32> offset = tf.zerosLike(tf.shape(value(inputs.get(0))));
		Operand<TInt32> rank = tf.rank(g);
		Operand<TInt32> axisOneHot = tf.oneHot(tf.math.floorMod(axis, rank), rank, tf.constant(1), tf.constant(0));
		for (int i = 0; i < n; i++) {
			Operand<TInt32> shape = tf.shape(value(inputs.get(i)));
			parts[i] = tf.slice(g, offset, shape);
			offset = tf.math.add(offset, tf.math.mul(shape, axisOneHot));
		}
		return parts;
	}

	/**
	 * DeepLIFT through max pooling (docs/METHODS.md 2.5): with yh = max(y, y0), the upstream multiplier times
	 * (yh - y0) goes to the window's winner at x and times (y - yh) to its winner at x0; the sums are then
	 * divided by (x - x0) (plain routing at x where |x - x0| < 1e-10), so summation-to-delta survives.
	 */
	private Operand<TFloat32> maxPoolDeepLift(NodeDef node, GraphOperation op, List<String> inputs, Operand<TFloat32> m) {
		Output<TFloat32> x = value(inputs.get(0)), y = out(node);
		Output<TFloat32> x0 = reference.apply(original(inputs.get(0))), y0 = reference.apply(original(node.getName()));
		Operand<TFloat32> yh = tf.math.maximum(y, y0);
		Operand<TFloat32> atX = maxPoolRoute(node, op, inputs, x, y, tf.math.mul(m, tf.math.sub(yh, y0)));
		Operand<TFloat32> atX0 = maxPoolRoute(node, op, inputs, x0, y0, tf.math.mul(m, tf.math.sub(y, yh)));
		Operand<TFloat32> dx = tf.math.sub(x, x0);
		Operand<org.tensorflow.types.TBool> close = tf.math.less(tf.math.abs(dx), tf.constant(1e-10f));
		return tf.select(close, maxPoolRoute(node, op, inputs, x, y, m), tf.math.divNoNan(tf.math.add(atX, atX0), dx));
	}

	/** DeepLIFT through a max over axes (global max pooling), as through max pooling (docs/METHODS.md 2.5). */
	private Operand<TFloat32> maxDeepLift(NodeDef node, List<String> inputs, Operand<TFloat32> m) {
		Output<TFloat32> x = value(inputs.get(0)), y = out(node);
		Output<TFloat32> x0 = reference.apply(original(inputs.get(0))), y0 = reference.apply(original(node.getName()));
		Operand<TInt32> axes = constant(inputs.get(1));
		Operand<TFloat32> yh = tf.math.maximum(y, y0);
		Operand<TFloat32> atX = Transposes.maxBack(tf, x, axes, tf.math.mul(m, tf.math.sub(yh, y0)));
		Operand<TFloat32> atX0 = Transposes.maxBack(tf, x0, axes, tf.math.mul(m, tf.math.sub(y, yh)));
		Operand<TFloat32> dx = tf.math.sub(x, x0);
		return tf.select(tf.math.less(tf.math.abs(dx), tf.constant(1e-10f)), Transposes.maxBack(tf, x, axes, m), tf.math
			.divNoNan(tf.math.add(atX, atX0), dx));
	}

	private Output<TFloat32> original(String reference) {
		String node = GraphPath.nodeOf(reference);
		int index = reference.contains(":") ? Integer.parseInt(reference.substring(reference.lastIndexOf(':') + 1)) : 0;
		return model.graph().operationOrThrow(node).output(index).expect(TFloat32.class);
	}

	private Operand<TFloat32> maxPoolBack(NodeDef node, GraphOperation op, List<String> inputs, Operand<TFloat32> g) {
		if (reference != null && deepLiftMaxPool) return maxPoolDeepLift(node, op, inputs, g);
		return maxPoolRoute(node, op, inputs, value(inputs.get(0)), out(node), g);
	}

	private Operand<TFloat32> maxPoolRoute(NodeDef node, GraphOperation op, List<String> inputs, Operand<TFloat32> x,
		Operand<TFloat32> y, Operand<TFloat32> g)
	{
		Operand<TInt32> ksize, strides;
		if (node.getOp().equals("MaxPoolV2")) {
			ksize = constant(inputs.get(1));
			strides = constant(inputs.get(2));
		}
		else {
			ksize = tf.constant(ints(op.attributes().getAttrIntList("ksize")));
			strides = tf.constant(ints(op.attributes().getAttrIntList("strides")));
		}
		// TensorFlow's MaxPoolGrad routes to the first maximum of each window: winner-take-all
		return tf.nn.maxPoolGrad(x, y, g, ksize, strides, op.attributes().getAttrString("padding"));
	}

	private Operand<TFloat32> avgPoolBack(GraphOperation op, List<String> inputs, Operand<TFloat32> g) {
		var attributes = op.attributes();
		return tf.nn.avgPoolGrad(tf.shape(value(inputs.get(0))), g, Canonizer.longs(attributes.getAttrIntList("ksize")),
			Canonizer.longs(attributes.getAttrIntList("strides")), attributes.getAttrString("padding"));
	}

	/** Max pooling undone as sum pooling: R_j = a_j R_k / sum_window a (the window's mean, times its size). */
	private Operand<TFloat32> proportionalPool(NodeDef node, List<String> inputs, Operand<TFloat32> r) {
		GraphOperation op = model.graph().operationOrThrow(node.getName());
		List<Long> ksize, strides;
		if (node.getOp().equals("MaxPoolV2")) {
			ksize = Canonizer.longs(constantValues(inputs.get(1)));
			strides = Canonizer.longs(constantValues(inputs.get(2)));
		}
		else {
			ksize = Canonizer.longs(op.attributes().getAttrIntList("ksize"));
			strides = Canonizer.longs(op.attributes().getAttrIntList("strides"));
		}
		Output<TFloat32> a = value(inputs.get(0));
		String padding = op.attributes().getAttrString("padding");
		Operand<TFloat32> mean = tf.nn.avgPool(a, ksize, strides, padding);
		return tf.math.mul(a, tf.nn.avgPoolGrad(tf.shape(a), LinearRule.divide(tf, r, mean), ksize, strides, padding));
	}

	/** A layer undone by the composite's rule (the first-layer rule where it sees the pixels). */
	private Operand<TFloat32> linearBack(Canonizer.Folded layer, Operand<TFloat32> signal) {
		LinearLayer l = layer.layer();
		boolean first = l.kind() != LinearLayer.Kind.SCALE && canonizer.seesPixels(layer.input());
		LinearRule rule = composite.rule(l, first);
		Operand<TFloat32> back = rule.back(tf, first ? l.withValid(validPixels(layer.input())) : l, signal);
		if (composite.relevance()) keep(tf.math.sub(perImage(signal), perImage(back)));
		return back;
	}

	/**
	 * After {@link #run} with a relevance composite: per image, the relevance the rules themselves did not
	 * pass on (what biases and stabilisers absorb, and contributions a rule drops), [N]; zeros when no rule
	 * ran. With the input's relevance it adds up to the seed's unless another op lost or created relevance.
	 */
	public Operand<TFloat32> absorbed(Operand<TFloat32> seed) {
		return absorbed != null ? absorbed : tf.zerosLike(perImage(seed));
	}

	/** For a pixel layer fed by an explicit Pad: 1 on the image, 0 on the padded border; else null. */
	private Operand<TFloat32> validPixels(String layerInput) {
		NodeDef cur = graph.node(GraphPath.nodeOf(layerInput));
		while (cur.getOp().equals("Identity")) cur = graph.node(GraphPath.nodeOf(cur.getInput(0)));
		if (!cur.getOp().equals("Pad") && !cur.getOp().equals("PadV2")) return null;
		List<String> in = cur.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
		return tf.pad(tf.onesLike(value(in.get(0))), constant(in.get(1)), tf.constant(0f));
	}

	/** Every layer the canonizer finds between the input and {@code start}, keyed by its top node. */
	Map<String, Canonizer.Folded> foldedLayers(Output<TFloat32> start) {
		onPathTo(start, model.input().op().name());
		Map<String, Canonizer.Folded> folded = new java.util.LinkedHashMap<>();
		for (String name : path) {
			Canonizer.Folded f = canonizer.fold(graph.node(name));
			if (f != null) folded.put(name, f);
		}
		return folded;
	}

	/** The nodes between {@code end} and {@code start}, in topological order; sets the walk's path. */
	private List<String> onPathTo(Output<TFloat32> start, String end) {
		List<String> order = graph.between(end, start.op().name());
		if (order.isEmpty() || !order.get(0).equals(end)) throw new ExplainException("Tensor '" + start.op().name() +
			"' does not depend on '" + end + "'.", "Start the backward pass at a layer of the network above it.");
		path = new java.util.HashSet<>(order);
		canonizer = new Canonizer(tf, model.graph(), graph, path, model.input().op().name(), this::value, model::localName);
		return order;
	}

	private long[] constantValues(String reference) {
		var value = graph.node(GraphPath.nodeOf(reference)).getAttrOrThrow("value").getTensor();
		if (value.getIntValCount() > 0) return value.getIntValList().stream().mapToLong(Integer::longValue).toArray();
		var content = value.getTensorContent().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
		long[] out = new long[content.remaining()];
		for (int i = 0; i < out.length; i++) out[i] = content.get(i);
		return out;
	}

	private boolean onPath(String reference) {
		return path.contains(GraphPath.nodeOf(reference));
	}

	/**
	 * An op the walk cannot cross, named with the Keras layer (name scope) it belongs to; the hint says which
	 * methods do work on this model: the gradient family where TensorFlow's registry or the walk's gradient
	 * transposes differentiate the whole network (tried here, not assumed), the perturbation methods always.
	 */
	private ExplainException cannotCross(NodeDef node, String detail) {
		boolean walkKnowsGradient = composite.relevance() && detail != null;
		boolean gradientFamily = walkKnowsGradient || (!isPlainGradient() && tensorFlowDifferentiates());
		return unsupported(node, detail, gradientFamily ? "The gradient family (gradient, saliency, " +
			"integrated-gradients, smoothgrad, grad-cam) and the perturbation methods (occlusion, rise, sobol) work on " +
			"this model." : "Only the perturbation methods (occlusion, rise, sobol) work on this model.");
	}

	private boolean isPlainGradient() {
		return !composite.relevance() && reference == null && composite.relu() == ReluRule.GRADIENT;
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

	/** An op the rules cannot take, with the hint for the methods that still work. */
	private ExplainException unsupported(NodeDef node, String detail, String hint) {
		return unsupported(node, model.localName(node.getName()), detail, hint);
	}

	/**
	 * The same given the node's name in the model's own graph (before inlining): its Keras layer is the name
	 * scope below the model's own, e.g. se_excite_1 in model/se_excite_1/Mul.
	 */
	static ExplainException unsupported(NodeDef node, String localName, String detail, String hint) {
		String[] parts = localName.split("/");
		String layer = parts.length >= 3 ? parts[1] : parts[0];
		return new ExplainException("The backward pass cannot go through op " + node.getOp() + " in layer '" + layer +
			"' (node '" + localName + "')" + (detail == null ? "" : ": " + detail) + ".", hint);
	}

	private static int[] ints(long[] v) {
		return java.util.Arrays.stream(v).mapToInt(l -> (int) l).toArray();
	}
}

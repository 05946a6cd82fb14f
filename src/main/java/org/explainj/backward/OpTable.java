package org.explainj.backward;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinearGrad;
import org.tensorflow.op.image.ResizeNearestNeighborGrad;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The backward walk's op table: one small entry per op kind, tried in order, the first that recognises a
 * node undoes it. Structural entries come first (IdentityN's outputs, pass-throughs that carry
 * RevealCancel's pairs, the layers the {@link Canonizer} finds, RevealCancel's nonlinearities); then one
 * {@link OpKind} per op kind with its gradient transpose (checked against finite differences in the
 * tests), its relevance hook (where the composite's pooling and activation rules, or the {@link GateRule},
 * apply; by default relevance moves as the gradient) and its DeepLIFT hook ({@link DeepLift}; by default
 * the gradient). A node no entry recognises stops the walk with the op and its Keras layer named. The
 * ops and their rules are listed in docs/METHODS.md 2.7.
 */
final class OpTable {

	private OpTable() {}

	/** The entry that undoes {@code node}. */
	static OpEntry entry(Walk walk, NodeDef node) {
		for (OpEntry e : ENTRIES) if (e.handles(walk, node)) return e;
		return UNSUPPORTED;
	}

	/** An op kind of one output whose signal goes to its data inputs. */
	abstract static class OpKind implements OpEntry {

		private final Set<String> ops;

		OpKind(String... ops) {
			this.ops = Set.of(ops);
		}

		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return ops.contains(node.getOp());
		}

		@Override
		public final List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			// a signal at another output would be lost without a word: only ops with one output on the path are kinds
			for (int k = 1; k < arriving.length; k++) if (arriving[k] != null) throw walk.cannotCross(node,
				"a signal arrives at its output " + k);
			if (arriving[0] == null) return List.of();
			Operand<TFloat32> g = arriving[0].isPair() ? walk.revealCancel.collapse(node.getName(), arriving[0])
				: arriving[0].positive();
			List<String> inputs = GraphIndex.dataInputs(node);
			Operand<TFloat32>[] back = switch (walk.mode) {
				case GRADIENT -> gradient(walk, node, inputs, g);
				case RELEVANCE -> relevance(walk, node, inputs, g);
				case MULTIPLIERS -> multipliers(walk, node, inputs, g);
			};
			List<Sent> sent = new ArrayList<>();
			for (int k = 0; k < back.length; k++) if (back[k] != null) sent.add(new Sent(inputs.get(k), Signal.of(back[k])));
			return sent;
		}

		/** The gradient transpose: the signal for each data input (null where none flows back). */
		abstract Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g);

		/** Relevance through the op: by default moved as the gradient (ops that only move values). */
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			return gradient(walk, node, inputs, r);
		}

		/** DeepLIFT's multipliers: by default the gradient's (linear ops keep summation-to-delta). */
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			return gradient(walk, node, inputs, m);
		}
	}

	/** A transpose given as a function of the signal for the op's first input. */
	private interface FirstInput {
		Operand<TFloat32> back(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g);
	}

	/** An op kind whose signal goes to its first data input only, the same for gradients, relevance and DeepLIFT. */
	private static OpKind moves(FirstInput transpose, String... ops) {
		return new OpKind(ops) {
			@Override
			Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
				return first(inputs, transpose.back(walk, node, inputs, g));
			}
		};
	}

	@SuppressWarnings("unchecked")
	private static Operand<TFloat32>[] first(List<String> inputs, Operand<TFloat32> signal) {
		Operand<TFloat32>[] back = new Operand[inputs.size()];
		back[0] = signal;
		return back;
	}

	/** Each output of an IdentityN is its input (Keras 3's swish wraps x * sigmoid(x) so for a custom gradient). */
	private static final OpEntry IDENTITY_N = new OpEntry() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return node.getOp().equals("IdentityN");
		}

		@Override
		public List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			List<String> inputs = GraphIndex.dataInputs(node);
			List<Sent> sent = new ArrayList<>();
			for (int k = 0; k < inputs.size(); k++) if (arriving[k] != null) sent.add(new Sent(inputs.get(k), arriving[k]));
			return sent;
		}
	};

	/** Identity and Snapshot pass any signal, RevealCancel's pairs included. */
	private static final OpEntry PASS = new OpEntry() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return node.getOp().equals("Identity") || node.getOp().equals("Snapshot");
		}

		@Override
		public List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			return arriving[0] == null ? List.of() : List.of(new Sent(GraphIndex.dataInputs(node).get(0), arriving[0]));
		}
	};

	/**
	 * A layer the canonizer finds (a linear op with the bias and batch norm above it, or an affine chain
	 * alone): its rule sees their z and the signal goes straight to the layer's input (docs/METHODS.md 2.3).
	 */
	private static final OpEntry LAYER = new OpEntry() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return walk.folded(node) != null;
		}

		@Override
		public List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			if (arriving[0] == null) return List.of();
			Canonizer.Folded layer = walk.folded(node);
			Operand<TFloat32> back = arriving[0].isPair() ? walk.revealCancel.linear(layer, arriving[0]) : walk.linearBack(
				layer, arriving[0].positive());
			return List.of(new Sent(layer.input(), Signal.of(back)));
		}
	};

	/**
	 * Element-wise nonlinearities: relevance passes unchanged where the composite says so; a gradient is
	 * multiplied by the local derivative (ReLUs by the composite's ReLU rule); DeepLIFT by the rescale rule.
	 */
	private static final OpKind ACTIVATION = new OpKind() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return Transposes.ELEMENTWISE.contains(node.getOp());
		}

		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			Ops tf = walk.tf;
			if (!node.getOp().equals("Relu") && !node.getOp().equals("Relu6")) return first(inputs, tf.math.mul(g, derivative(
				walk, node, inputs)));
			Output<TFloat32> y = walk.out(node);
			Operand<TFloat32> routed = walk.composite.relu().relu(tf, g, y);
			// ReLU6 is also flat where it saturates: y = 6 exactly where x >= 6
			return first(inputs, node.getOp().equals("Relu") ? routed : tf.math.mul(routed, tf.dtypes.cast(tf.math.less(y,
				tf.constant(6f)), TFloat32.class)));
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			return walk.composite.passesActivations() ? first(inputs, r) : gradient(walk, node, inputs, r);
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			return first(inputs, walk.deepLift.rescale(node, inputs, m, derivative(walk, node, inputs)));
		}

		private Operand<TFloat32> derivative(Walk walk, NodeDef node, List<String> inputs) {
			Operand<TFloat32> exponent = node.getOp().equals("Pow") ? walk.value(inputs.get(1)) : null;
			return Transposes.derivative(walk.tf, walk.op(node), walk.value(inputs.get(0)), walk.out(node), exponent);
		}
	};

	/** DeepLIFT's RevealCancel at the nonlinearities it splits (docs/METHODS.md 2.6): a pair goes below. */
	private static final OpEntry REVEAL_CANCEL = new OpEntry() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return walk.revealCancel != null && RevealCancel.NONLINEAR.contains(node.getOp());
		}

		@Override
		public List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			if (arriving[0] == null) return List.of();
			Operand<TFloat32> g = walk.revealCancel.collapse(node.getName(), arriving[0]);
			List<String> inputs = GraphIndex.dataInputs(node);
			Operand<TFloat32> local = ACTIVATION.gradient(walk, node, inputs, g)[0];
			return List.of(new Sent(inputs.get(0), walk.revealCancel.nonlinearity(node, inputs, g, local)));
		}
	};

	/** Max pooling: to each window's first maximum (TensorFlow's MaxPoolGrad); the composite may undo it proportionally. */
	private static final OpKind MAX_POOL = new OpKind("MaxPool", "MaxPoolV2") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			walk.canonizer.nhwc(node, walk.op(node));
			return first(inputs, route(walk, node, inputs, walk.value(inputs.get(0)), walk.out(node), g));
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			if (walk.composite.maxPool() != Composite.Pooling.PROPORTIONAL) return gradient(walk, node, inputs, r);
			walk.canonizer.nhwc(node, walk.op(node));
			return first(inputs, proportional(walk, node, inputs, r));
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			if (!walk.deepLift.maxPool()) return gradient(walk, node, inputs, m);
			walk.canonizer.nhwc(node, walk.op(node));
			return first(inputs, walk.deepLift.max(node, inputs, m, (x, y, s) -> route(walk, node, inputs, x, y, s)));
		}

		/**
		 * TensorFlow's MaxPoolGrad with the window as attributes, also for MaxPoolV2: the form with the window
		 * as tensors has no oneDNN kernel and ran about three times slower.
		 */
		private Operand<TFloat32> route(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> x,
			Operand<TFloat32> y, Operand<TFloat32> g)
		{
			long[][] window = window(walk, node, inputs);
			return walk.tf.scope().opBuilder("MaxPoolGrad", "MaxPoolGrad").addInput(x.asOutput()).addInput(y.asOutput())
				.addInput(g.asOutput()).setAttr("ksize", window[0]).setAttr("strides", window[1]).setAttr("padding", walk.op(
					node).attributes().getAttrString("padding")).build().<TFloat32> output(0);
		}

		/** {ksize, strides} of a MaxPool (attributes) or MaxPoolV2 (constant inputs). */
		private long[][] window(Walk walk, NodeDef node, List<String> inputs) {
			if (node.getOp().equals("MaxPoolV2")) return new long[][] { walk.constantValues(inputs.get(1)), walk
				.constantValues(inputs.get(2)) };
			var a = walk.op(node).attributes();
			return new long[][] { a.getAttrIntList("ksize"), a.getAttrIntList("strides") };
		}

		/** Max pooling undone as sum pooling: R_j = a_j R_k / sum_window a (the window's mean, times its size). */
		private Operand<TFloat32> proportional(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			Ops tf = walk.tf;
			long[][] window = window(walk, node, inputs);
			List<Long> ksize = Canonizer.longs(window[0]), strides = Canonizer.longs(window[1]);
			Output<TFloat32> a = walk.value(inputs.get(0));
			String padding = walk.op(node).attributes().getAttrString("padding");
			Operand<TFloat32> mean = tf.nn.avgPool(a, ksize, strides, padding);
			return tf.math.mul(a, tf.nn.avgPoolGrad(tf.shape(a), LinearRule.divide(tf, r, mean), ksize, strides, padding));
		}
	};

	/** Max over constant axes (global max pooling): to the maxima, shared among ties. */
	private static final OpKind MAX = new OpKind("Max") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return first(inputs, Transposes.maxBack(walk.tf, walk.value(inputs.get(0)), walk.constant(inputs.get(1)), g));
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			if (!walk.deepLift.maxPool()) return gradient(walk, node, inputs, m);
			Operand<TInt32> axes = walk.constant(inputs.get(1));
			return first(inputs, walk.deepLift.max(node, inputs, m, (x, y, s) -> Transposes.maxBack(walk.tf, x, axes, s)));
		}
	};

	/**
	 * Average pooling, means and bilinear resizing: their transpose, or for relevance where the composite
	 * says so, in proportion to the inputs, R_j = a_j T(R / y) (as sum pooling).
	 */
	private abstract static class Averaging extends OpKind {

		Averaging(String... ops) {
			super(ops);
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			if (walk.composite.averagePool() != Composite.Pooling.PROPORTIONAL) return gradient(walk, node, inputs, r);
			Ops tf = walk.tf;
			Operand<TFloat32>[] back = gradient(walk, node, inputs, LinearRule.divide(tf, r, walk.out(node)));
			back[0] = tf.math.mul(walk.value(inputs.get(0)), back[0]);
			return back;
		}
	}

	private static final OpKind AVG_POOL = new Averaging("AvgPool") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			GraphOperation op = walk.op(node);
			walk.canonizer.nhwc(node, op);
			var a = op.attributes();
			return first(inputs, walk.tf.nn.avgPoolGrad(walk.tf.shape(walk.value(inputs.get(0))), g, Canonizer.longs(a
				.getAttrIntList("ksize")), Canonizer.longs(a.getAttrIntList("strides")), a.getAttrString("padding")));
		}
	};

	private static final OpKind MEAN = new Averaging("Mean") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return first(inputs, Transposes.meanBack(walk.tf, walk.value(inputs.get(0)), walk.constant(inputs.get(1)), walk
				.knownValues(inputs.get(1)), g));
		}
	};

	private static final OpKind RESIZE_BILINEAR = new Averaging("ResizeBilinear") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			var a = walk.op(node).attributes();
			return first(inputs, walk.tf.image.resizeBilinearGrad(g, walk.value(inputs.get(0)), ResizeBilinearGrad
				.alignCorners(a.getAttrBool("align_corners")), ResizeBilinearGrad.halfPixelCenters(a.getAttrBool(
					"half_pixel_centers"))));
		}
	};

	/**
	 * Add and Sub: a gradient goes to both terms (summed back over broadcast axes). Relevance of two
	 * branches is shared by the {@link GateRule}; with one branch on the path it passes whole.
	 */
	private static final OpKind SUM = new OpKind("Add", "AddV2", "Sub") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return both(walk, inputs, g, node.getOp().equals("Sub") ? walk.tf.math.neg(g) : g);
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			if (walk.onPath(inputs.get(0)) && walk.onPath(inputs.get(1))) return walk.gates.sum(node, inputs, r);
			return both(walk, inputs, r, r);
		}

		@SuppressWarnings("unchecked")
		private Operand<TFloat32>[] both(Walk walk, List<String> inputs, Operand<TFloat32> first,
			Operand<TFloat32> second)
		{
			boolean both = walk.onPath(inputs.get(0)) && walk.onPath(inputs.get(1));
			Operand<TFloat32>[] back = new Operand[] { first, second };
			for (int k = 0; k < 2; k++) if (both) back[k] = Transposes.unbroadcast(walk.tf, back[k], walk.value(inputs.get(k)));
			return back;
		}
	};

	/**
	 * Mul: the product rule (DeepLIFT: multipliers (b + b0) / 2 and (a + a0) / 2, which keep
	 * summation-to-delta); relevance of two branches by the {@link GateRule}.
	 */
	private static final OpKind PRODUCT = new OpKind("Mul") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return product(walk, inputs, g, walk.value(inputs.get(1)), walk.value(inputs.get(0)));
		}

		@Override
		@SuppressWarnings("unchecked")
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			if (!walk.onPath(inputs.get(0)) || !walk.onPath(inputs.get(1))) return new Operand[] { r, r };
			int signal = walk.gates.signalOfProduct(inputs);
			if (signal < 0) throw walk.cannotCross(node, "a product of two branches where neither is a gate (sigmoid, " +
				"erf, tanh) or a normalisation statistic");
			Operand<TFloat32>[] back = new Operand[2];
			back[signal] = Transposes.unbroadcast(walk.tf, r, walk.value(inputs.get(signal)));
			return back;
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			if (!walk.onPath(inputs.get(0)) || !walk.onPath(inputs.get(1))) return gradient(walk, node, inputs, m);
			Ops tf = walk.tf;
			Operand<TFloat32> half = tf.constant(0.5f);
			return product(walk, inputs, m, tf.math.mul(half, tf.math.add(walk.value(inputs.get(1)), walk.deepLift
				.atReference(inputs.get(1)))), tf.math.mul(half, tf.math.add(walk.value(inputs.get(0)), walk.deepLift
					.atReference(inputs.get(0)))));
		}

		@SuppressWarnings("unchecked")
		private Operand<TFloat32>[] product(Walk walk, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32> forA,
			Operand<TFloat32> forB)
		{
			Ops tf = walk.tf;
			if (!walk.onPath(inputs.get(0)) || !walk.onPath(inputs.get(1))) return new Operand[] { tf.math.mul(g, forA), tf
				.math.mul(g, forB) };
			return new Operand[] { Transposes.unbroadcast(tf, tf.math.mul(g, forA), walk.value(inputs.get(0))), Transposes
				.unbroadcast(tf, tf.math.mul(g, forB), walk.value(inputs.get(1))) };
		}
	};

	/** RealDiv: by a constant as a scale; a quotient of two branches by the quotient rule (relevance: a statistic below). */
	private static final OpKind QUOTIENT = new OpKind("RealDiv", "Div") {
		@Override
		@SuppressWarnings("unchecked")
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			Ops tf = walk.tf;
			Output<TFloat32> a = walk.value(inputs.get(0)), b = walk.value(inputs.get(1));
			Operand<TFloat32>[] back = new Operand[2];
			back[0] = Transposes.unbroadcast(tf, tf.math.div(g, b), a);
			if (walk.onPath(inputs.get(0)) && walk.onPath(inputs.get(1))) back[1] = Transposes.unbroadcast(tf, tf.math.neg(
				tf.math.div(tf.math.mul(g, a), tf.math.square(b))), b);
			return back;
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			if (walk.onPath(inputs.get(0)) && walk.onPath(inputs.get(1)) && !walk.gates.constantLike(inputs.get(1)))
				throw walk.cannotCross(node, "a division by a branch that is not a normalisation statistic");
			return first(inputs, Transposes.unbroadcast(walk.tf, r, walk.value(inputs.get(0))));
		}
	};

	/** SquaredDifference (a variance's terms): 2 (a - b); DeepLIFT (a - b) + (a0 - b0), exact. */
	private static final OpKind SQUARED_DIFFERENCE = new OpKind("SquaredDifference") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return back(walk, inputs, g, walk.tf.math.mul(walk.tf.constant(2f), difference(walk, inputs)));
		}

		@Override
		Operand<TFloat32>[] relevance(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> r) {
			throw walk.cannotCross(node, "a squared difference outside a normalisation's statistics");
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			Ops tf = walk.tf;
			// (a - b)^2 - (a0 - b0)^2 = [(a - b) + (a0 - b0)] (Da - Db)
			return back(walk, inputs, m, tf.math.add(difference(walk, inputs), tf.math.sub(walk.deepLift.atReference(inputs
				.get(0)), walk.deepLift.atReference(inputs.get(1)))));
		}

		private Operand<TFloat32> difference(Walk walk, List<String> inputs) {
			return walk.tf.math.sub(walk.value(inputs.get(0)), walk.value(inputs.get(1)));
		}

		@SuppressWarnings("unchecked")
		private Operand<TFloat32>[] back(Walk walk, List<String> inputs, Operand<TFloat32> g, Operand<TFloat32> twice) {
			Ops tf = walk.tf;
			return new Operand[] { Transposes.unbroadcast(tf, tf.math.mul(g, twice), walk.value(inputs.get(0))), Transposes
				.unbroadcast(tf, tf.math.neg(tf.math.mul(g, twice)), walk.value(inputs.get(1))) };
		}
	};

	/** StopGradient: nothing flows back, except DeepLIFT's comparison of whole networks (the value still changes). */
	private static final OpKind STOP_GRADIENT = new OpKind("StopGradient") {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			return first(inputs, null);
		}

		@Override
		Operand<TFloat32>[] multipliers(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> m) {
			return first(inputs, m);
		}
	};

	/** A concatenation undone: each input gets its own slice of the signal along the axis. */
	private static final OpKind CONCAT = new OpKind("ConcatV2") {
		@Override
		@SuppressWarnings("unchecked")
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			Ops tf = walk.tf;
			int n = inputs.size() - 1;
			Operand<TInt32> axis = walk.constant(inputs.get(n));
			Operand<TFloat32>[] parts = new Operand[inputs.size()];
			Operand<TInt32> offset = tf.zerosLike(tf.shape(walk.value(inputs.get(0))));
			Operand<TInt32> rank = Transposes.rank(tf, g);
			Operand<TInt32> axisOneHot = tf.oneHot(tf.math.floorMod(axis, rank), rank, tf.constant(1), tf.constant(0));
			for (int i = 0; i < n; i++) {
				Operand<TInt32> shape = tf.shape(walk.value(inputs.get(i)));
				parts[i] = tf.slice(g, offset, shape);
				offset = tf.math.add(offset, tf.math.mul(shape, axisOneHot));
			}
			return parts;
		}
	};

	/** A stack undone (Pack): each input gets its slice of the signal along the new axis. */
	private static final OpKind PACK = new OpKind("Pack") {
		@Override
		@SuppressWarnings("unchecked")
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			var parts = walk.tf.unstack(g, (long) inputs.size(), org.tensorflow.op.core.Unstack.axis(walk.op(node).attributes()
				.getAttrInt("axis")));
			return parts.output().toArray(new Operand[0]);
		}
	};

	/**
	 * A split undone (Split, SplitV, Unpack): the signals of its parts put back together along the axis,
	 * zeros for parts nothing reads. Values only move, so gradients, relevance and DeepLIFT's multipliers
	 * go back alike; RevealCancel's pairs are collapsed first, as at any op that moves values.
	 */
	private static final OpEntry SPLIT = new OpEntry() {
		@Override
		public boolean handles(Walk walk, NodeDef node) {
			return Set.of("Split", "SplitV", "Unpack").contains(node.getOp());
		}

		@Override
		public List<Sent> back(Walk walk, NodeDef node, Signal[] arriving) {
			Ops tf = walk.tf;
			List<String> inputs = GraphIndex.dataInputs(node);
			List<Operand<TFloat32>> parts = new ArrayList<>();
			for (int k = 0; k < arriving.length; k++) {
				Signal a = arriving[k];
				parts.add(a == null ? tf.zerosLike(walk.value(TensorNames.reference(node.getName(), k))) : a.isPair() ? walk.revealCancel
					.collapse(node.getName(), a) : a.positive());
			}
			return switch (node.getOp()) {
				case "Split" -> List.of(new Sent(inputs.get(1), Signal.of(tf.concat(parts, walk.constant(inputs.get(0))))));
				case "SplitV" -> List.of(new Sent(inputs.get(0), Signal.of(tf.concat(parts, walk.constant(inputs.get(2))))));
				default -> List.of(new Sent(inputs.get(0), Signal.of(tf.stack(parts, org.tensorflow.op.core.Stack.axis(walk
					.op(node).attributes().getAttrInt("axis"))))));
			};
		}
	};

	/** Any op no entry recognises: the walk stops with the op and its Keras layer named. */
	private static final OpKind UNSUPPORTED = new OpKind() {
		@Override
		Operand<TFloat32>[] gradient(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
			throw walk.cannotCross(node, null);
		}
	};

	private static final List<OpEntry> ENTRIES = List.of(IDENTITY_N, PASS, LAYER, REVEAL_CANCEL, SPLIT,
		moves((w, n, in, g) -> g, "BiasAdd", "Cast"),
		moves((w, n, in, g) -> w.tf.reshape(g, w.tf.shape(w.value(in.get(0)))), "Reshape", "Squeeze", "ExpandDims"),
		moves((w, n, in, g) -> Transposes.transposeBack(w.tf, w.constant(in.get(1)), g), "Transpose"),
		moves((w, n, in, g) -> Transposes.stridedSliceBack(w.tf, w.op(n), w.value(in.get(0)), w.constant(in.get(1)), w
			.constant(in.get(2)), w.constant(in.get(3)), g), "StridedSlice"),
		moves((w, n, in, g) -> Transposes.tileBack(w.tf, w.value(in.get(0)), w.constant(in.get(1)), g), "Tile"),
		moves(OpTable::resizeNearestBack, "ResizeNearestNeighbor"),
		moves(OpTable::padBack, "Pad", "PadV2"),
		CONCAT, PACK, MAX_POOL, MAX, AVG_POOL, MEAN, RESIZE_BILINEAR, SUM, PRODUCT, QUOTIENT, SQUARED_DIFFERENCE, STOP_GRADIENT,
		ACTIVATION);

	private static Operand<TFloat32> resizeNearestBack(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
		Ops tf = walk.tf;
		var a = walk.op(node).attributes();
		return tf.image.resizeNearestNeighborGrad(g, tf.slice(tf.shape(walk.value(inputs.get(0))), tf.constant(new int[] {
			1 }), tf.constant(new int[] { 2 })), ResizeNearestNeighborGrad.alignCorners(a.getAttrBool("align_corners")),
			ResizeNearestNeighborGrad.halfPixelCenters(a.getAttrBool("half_pixel_centers")));
	}

	/** Zero padding undone: the signal of the padded border is dropped. */
	private static Operand<TFloat32> padBack(Walk walk, NodeDef node, List<String> inputs, Operand<TFloat32> g) {
		Ops tf = walk.tf;
		Output<TFloat32> x = walk.value(inputs.get(0));
		Operand<TInt32> paddings = walk.constant(inputs.get(1));
		Operand<TInt32> begin = tf.reshape(tf.slice(paddings, tf.constant(new int[] { 0, 0 }), tf.constant(new int[] { -1,
			1 })), tf.constant(new int[] { -1 }));
		return tf.slice(g, begin, tf.shape(x));
	}

}

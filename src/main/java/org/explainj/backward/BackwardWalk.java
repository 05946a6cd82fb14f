package org.explainj.backward;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.GraphIndex;
import org.explainj.model.TensorNames;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * An explicit backward pass, split as Zennit splits its core: this walker only orders the nodes between a
 * tensor and the input (reverse topological order, from the model's {@link GraphIndex}) and sums the signals
 * arriving at each node; what crosses a node is its {@link OpTable} entry's (gradient transpose, relevance
 * hook of the {@link Composite}, DeepLIFT's rules). With {@link ReluRule#GRADIENT} the walk equals
 * TensorFlow's own gradient, which the tests check; the rules are in docs/METHODS.md sections 2 and 3.
 */
public final class BackwardWalk {

	private final Ops tf;
	private final ClassifierModel model;
	private final UnaryOperator<Output<TFloat32>> tensors;
	private final Composite composite;
	/** The network's tensors on the reference input (DeepLIFT), or null. */
	private UnaryOperator<Output<TFloat32>> reference;
	private boolean deepLiftMaxPool;
	private boolean revealCancel;
	/** The last run's state (its diagnostics). */
	private Walk walk;

	/**
	 * @param tensors maps a tensor of the original network to the one the walk runs on (itself, or its
	 *          copy in a {@link org.explainj.model.NetworkCopy})
	 */
	public BackwardWalk(Ops tf, ClassifierModel model, UnaryOperator<Output<TFloat32>> tensors, Composite composite) {
		this.tf = tf;
		this.model = model;
		this.tensors = tensors;
		this.composite = composite;
	}

	/**
	 * Switches nonlinearities (rescale rule) and, if asked, max pooling to DeepLIFT's rules (docs/METHODS.md
	 * 2.5), given the network's tensors on the reference input (the same network run on x0, e.g. through a
	 * NetworkCopy). {@code deepLiftMaxPool} false: plain gradient routing through max pooling (as Captum).
	 */
	public BackwardWalk withReference(UnaryOperator<Output<TFloat32>> referenceTensors, boolean deepLiftMaxPool) {
		this.reference = referenceTensors;
		this.deepLiftMaxPool = deepLiftMaxPool;
		return this;
	}

	/** DeepLIFT's {@link RevealCancel} rule for nonlinearities, after {@link #withReference} (docs/METHODS.md 2.6). */
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
		String input = TensorNames.reference(end.op().name(), end.index());
		List<String> order = onPathTo(start, end.op().name());
		walk.seed(seed);
		Map<String, Signal> signals = new HashMap<>();
		signals.put(TensorNames.reference(start.op().name(), start.index()), Signal.of(seed));
		for (int i = order.size() - 1; i > 0; i--) {
			NodeDef node = walk.graph.node(order.get(i));
			Signal[] arriving = new Signal[model.graph().operationOrThrow(node.getName()).numOutputs()];
			for (int k = 0; k < arriving.length; k++) arriving[k] = signals.remove(TensorNames.reference(node.getName(), k));
			if (java.util.Arrays.stream(arriving).allMatch(Objects::isNull)) continue;
			for (OpEntry.Sent sent : OpTable.entry(walk, node).back(walk, node, arriving)) {
				if (!walk.onPath(sent.tensor())) continue;
				signals.merge(TensorNames.canonical(sent.tensor()), sent.signal(), (a, b) -> a.plus(tf, b));
			}
		}
		Signal atInput = signals.get(input);
		if (atInput == null) return tf.zerosLike(tensors.apply(end));
		return atInput.isPair() ? walk.revealCancel.collapse(input, atInput) : atInput.positive();
	}

	/**
	 * After {@link #run} with a relevance composite: per image, the relevance the rules themselves did not
	 * pass on (what biases and stabilisers absorb, and contributions a rule drops), [N]; zeros when no rule
	 * ran. With the input's relevance it adds up to the seed's unless another op lost or created relevance.
	 */
	public Operand<TFloat32> absorbed(Operand<TFloat32> seed) {
		return walk.absorbed() != null ? walk.absorbed() : tf.zerosLike(walk.perImage(seed));
	}

	/** Every layer the canonizer finds between the input and {@code start}, keyed by its top node. */
	Map<String, Canonizer.Folded> foldedLayers(Output<TFloat32> start) {
		Map<String, Canonizer.Folded> folded = new LinkedHashMap<>();
		for (String name : onPathTo(start, model.input().op().name())) {
			Canonizer.Folded f = walk.folded(walk.graph.node(name));
			if (f != null) folded.put(name, f);
		}
		return folded;
	}

	/** The nodes between {@code end} and {@code start}, in topological order; starts the walk's state on them. */
	private List<String> onPathTo(Output<TFloat32> start, String end) {
		List<String> order = model.index().between(end, start.op().name());
		if (order.isEmpty() || !order.get(0).equals(end)) throw new ExplainException("Tensor '" + start.op().name() +
			"' does not depend on '" + end + "'.", "Start the backward pass at a layer of the network above it.");
		walk = new Walk(tf, model, tensors, composite, new HashSet<>(order), reference, deepLiftMaxPool, revealCancel);
		return order;
	}
}

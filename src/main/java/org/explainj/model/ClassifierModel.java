package org.explainj.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * A loaded image classifier: one graph and session in which the input, the logits and every layer are
 * ordinary tensors, so that explanation methods can add their ops beside the network and run them in
 * the same session.
 */
public final class ClassifierModel implements AutoCloseable {

	private final Path path;
	private final String format;
	private final Graph graph;
	private final Session session;
	private final AutoCloseable owner;
	private final Output<TFloat32> input;
	private final Output<TFloat32> output;
	private final Output<TFloat32> logits;
	// the graph's shapes of input and output, read once: each read is a call into TensorFlow (about 10 us,
	// and explaining one image read them half a dozen times)
	private final Shape inputShape, outputShape;
	private final OutputActivation activation;
	private final ModelSidecar sidecar;
	private final Map<String, String> localNames;
	private final List<ModelAudit.Finding> auditFindings;
	private final Map<Object, Object> built = new HashMap<>();
	private int scopes;
	private int networkOperations = -1;

	/**
	 * Operations the explanation graphs may add beside the network before the model should be loaded
	 * afresh: TensorFlow graphs cannot drop operations, so only a new graph gives their memory back.
	 */
	static final int GRAPH_GROWTH_LIMIT = 200_000;

	ClassifierModel(Path path, String format, Graph graph, Session session, AutoCloseable owner,
		Output<TFloat32> input, Output<TFloat32> output, ModelSidecar sidecar, Map<String, String> localNames,
		List<ModelAudit.Finding> auditFindings)
	{
		this.path = path;
		this.format = format;
		this.graph = graph;
		this.session = session;
		this.owner = owner;
		this.input = input;
		this.output = output;
		this.localNames = localNames;
		this.auditFindings = List.copyOf(auditFindings);
		Output<?> beforeIdentities = skipIdentities(output);
		switch (beforeIdentities.op().type()) {
			case "Softmax" -> activation = OutputActivation.SOFTMAX;
			case "Sigmoid" -> activation = OutputActivation.SIGMOID;
			default -> activation = OutputActivation.NONE;
		}
		logits = activation == OutputActivation.NONE ? output : ((Output<?>) ((org.tensorflow.GraphOperation) beforeIdentities
			.op()).input(0)).expect(TFloat32.class);
		Shape in = input.shape();
		if (in.numDimensions() != 4 || in.size(3) <= 0) throw new ExplainException("The model's input '" +
			input.op().name() + "' has shape " + in + "; ExplainJ needs images as [batch, height, width, channels].",
			"Export the model with a 4-D NHWC image input.");
		Shape out = output.shape();
		if (out.numDimensions() != 2 || out.size(1) <= 0) throw new ExplainException("The model's output '" +
			output.op().name() + "' has shape " + out + "; ExplainJ explains classifiers with outputs [batch, classes].",
			"Choose a classification model.");
		List<String> labels = sidecar.classes();
		if (!labels.isEmpty() && labels.size() != out.size(1)) throw new ExplainException("The class names beside the model (" +
			ClassNames.LABELS + " or " + ClassNames.SIDECAR + ") are " + labels.size() + " but the model has " + out.size(1) +
			" classes.", "Give one name per class, in the order of the model's outputs.");
		sidecar.channelOrder().filter(order -> order.size() != in.size(3)).ifPresent(order -> {
			throw new ExplainException("\"channels\" in " + sidecar.file() + " orders " + order.size() + " channels but the " +
				"model's input has " + in.size(3) + ".", "Give one image channel per model channel, or remove \"channels\".");
		});
		this.sidecar = sidecar;
		this.inputShape = in;
		this.outputShape = out;
	}

	static Output<?> skipIdentities(Output<?> t) {
		Output<?> cur = t;
		while (cur.op().type().equals("Identity")) cur = ((org.tensorflow.GraphOperation) cur.op()).input(0);
		return cur;
	}

	public Path path() { return path; }

	/** "frozen GraphDef", "TF1 SavedModel" or "TF2/Keras SavedModel (functions inlined)". */
	public String format() { return format; }

	public Graph graph() { return graph; }

	public Session session() { return session; }

	public Output<TFloat32> input() { return input; }

	public Output<TFloat32> output() { return output; }

	public Output<TFloat32> logits() { return logits; }

	public OutputActivation activation() { return activation; }

	/**
	 * One output unit without softmax or sigmoid: a regression head. A softmax over one unit is always 1,
	 * so such a model has no probability; its raw output is what can be explained.
	 */
	public boolean isRegression() { return numClasses() == 1 && activation == OutputActivation.NONE; }

	/** Input height, or -1 where the model takes any size. */
	public int height() { return (int) inputShape.size(1); }

	public int width() { return (int) inputShape.size(2); }

	public int channels() { return (int) inputShape.size(3); }

	public int numClasses() { return (int) outputShape.size(1); }

	/** Class names from labels.txt or explainj.json beside the model ({@link ClassNames}), empty when none. */
	public List<String> labels() { return sidecar.classes(); }

	/** What the files beside the model say about it. */
	public ModelSidecar sidecar() { return sidecar; }

	/**
	 * For each input channel, the image channel (1-based) that feeds it, from the "channels" of
	 * {@value ClassNames#SIDECAR}; empty: in the image's order.
	 */
	public java.util.Optional<List<Integer>> channelOrder() { return sidecar.channelOrder(); }

	public String className(int index) {
		return index < labels().size() ? labels().get(index) : "class " + index;
	}

	/** The operations the {@link ModelAudit} refuses; not empty only for a model the user chose to trust. */
	public List<ModelAudit.Finding> auditFindings() { return auditFindings; }

	/** The name a node had inside its function before inlining (the Keras layer scope lives there). */
	public String localName(String flatNodeName) {
		return localNames.getOrDefault(flatNodeName, flatNodeName);
	}

	/** The flat graph, for structure analysis (layers, op audit). */
	public GraphDef graphDef() {
		return graph.toGraphDef();
	}

	private GraphIndex index;
	private LayerIndex layers;

	/**
	 * The network's graph indexed once per model (nodes, consumers, reachability): the backward walk, the
	 * layer index, the weights and network copies all read it. Ops added later by methods only consume the
	 * network, so the index stays valid for it.
	 */
	public synchronized GraphIndex index() {
		if (index == null) index = new GraphIndex(graphDef());
		return index;
	}

	/** The network's layers, found once per model. */
	public synchronized LayerIndex layers() {
		if (layers == null) layers = new LayerIndex(this);
		return layers;
	}

	/**
	 * Returns the ops built for {@code key}, building them once. Explanation graphs are built beside the
	 * network in a fresh name scope and reused for every later batch.
	 */
	@SuppressWarnings("unchecked")
	public synchronized <T> T ops(Object key, Function<Ops, T> builder) {
		Object ops = built.get(key);
		if (ops == null) {
			if (networkOperations < 0) networkOperations = graphSize();
			ops = builder.apply(Ops.create(graph).withSubScope("explainj_" + scopes++));
			built.put(key, ops);
		}
		return (T) ops;
	}

	/** How many operations the graph holds (the network and every method's ops built so far). */
	public synchronized int graphSize() {
		int n = 0;
		for (var it = graph.operations(); it.hasNext(); it.next()) n++;
		return n;
	}

	/** True when the ops built beside the network exceed {@link #GRAPH_GROWTH_LIMIT}: reload the model. */
	public synchronized boolean overgrown() {
		return networkOperations >= 0 && graphSize() - networkOperations > GRAPH_GROWTH_LIMIT;
	}

	/** Scores of every class as [N, K] for the given kind. */
	public Operand<TFloat32> scores(Ops tf, ScoreKind kind) {
		return scores(tf, kind, logits);
	}

	/** The same for logits of a {@link NetworkCopy}. */
	public Operand<TFloat32> scores(Ops tf, ScoreKind kind, Operand<TFloat32> logits) {
		return switch (kind) {
			case LOGIT -> logits;
			case PROBABILITY -> activation == OutputActivation.SIGMOID ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
			case LOG_PROBABILITY -> activation == OutputActivation.SIGMOID
				? tf.math.neg(tf.math.softplus(tf.math.neg(logits)))
				: tf.nn.logSoftmax(logits);
		};
	}

	@Override
	public void close() {
		try {
			if (owner != null) owner.close();
			else {
				session.close();
				graph.close();
			}
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	@Override
	public String toString() {
		return path.getFileName() + " (" + format + ", input " + inputShape + ", " + numClasses() + " classes)";
	}
}

package org.explainj.model;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.bytedeco.javacpp.PointerScope;
import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * The network applied once more, in the same graph, to another tensor: a path of interpolated images,
 * noisy copies, occluded copies or an image being optimised. Only the nodes that depend on the input are
 * copied; everything else (weights, variable reads) is wired to the original tensors, so no weight is
 * duplicated. This lets a method generate its inputs with TensorFlow ops and run the network on them in
 * the same session run, instead of passing tensors through Java.
 * <p>
 * TensorFlow Java's importGraphDef has no input mapping, so the C API's TF_GraphImportGraphDef is called
 * with TF_ImportGraphDefOptionsAddInputMapping on the graph's native handle.
 */
public final class NetworkCopy {

	private static final Field NATIVE_HANDLE;

	static {
		try {
			NATIVE_HANDLE = Graph.class.getDeclaredField("nativeHandle");
			NATIVE_HANDLE.setAccessible(true);
		}
		catch (ReflectiveOperationException e) {
			throw new ExceptionInInitializerError(e);
		}
	}

	private final Graph graph;
	private final String prefix;
	private final String inputNode;
	private final Operand<TFloat32> input;
	private final Set<String> copied;
	private final Set<String> dependent;

	private NetworkCopy(Graph graph, String prefix, String inputNode, Operand<TFloat32> input, Set<String> copied,
		Set<String> dependent)
	{
		this.graph = graph;
		this.prefix = prefix;
		this.inputNode = inputNode;
		this.input = input;
		this.copied = copied;
		this.dependent = dependent;
	}

	/**
	 * Copies everything between the model input and its logits, with {@code input} in place of the model
	 * input. Call inside {@link ClassifierModel#ops} (which serialises graph building).
	 */
	public static NetworkCopy apply(ClassifierModel model, Operand<TFloat32> input) {
		Graph graph = model.graph();
		GraphIndex index = model.index();
		GraphDef def = index.graphDef();
		String inputNode = model.input().op().name();
		Set<String> dependent = index.dependents(inputNode);
		Set<String> copied = new HashSet<>(dependent);
		copied.retainAll(index.ancestors(model.logits().op().name()));
		copied.remove(inputNode);

		String prefix = uniquePrefix(graph);
		GraphDef.Builder sub = GraphDef.newBuilder().setVersions(def.getVersions());
		Map<String, Output<?>> mapping = new LinkedHashMap<>();
		Map<String, String> stubs = new HashMap<>();
		for (NodeDef n : def.getNodeList()) {
			if (!copied.contains(n.getName())) continue;
			NodeDef.Builder b = n.toBuilder().clearInput().clearDevice();
			for (String in : n.getInputList()) {
				if (in.startsWith("^")) {
					// ordering of side effects outside the copy does not concern a forward pass
					if (copied.contains(in.substring(1))) b.addInput(in);
					continue;
				}
				String src = TensorNames.node(in);
				if (copied.contains(src)) {
					b.addInput(in);
					continue;
				}
				String stub = stubs.get(in);
				if (stub == null) {
					Output<?> original = src.equals(inputNode) ? input.asOutput() : TensorNames.output(graph, in);
					stub = "explainj_external_" + stubs.size();
					stubs.put(in, stub);
					sub.addNode(NodeDef.newBuilder().setName(stub).setOp("Placeholder").putAttr("dtype", AttrValue
						.newBuilder().setType(original.dataType()).build()));
					mapping.put(stub, original);
				}
				b.addInput(stub + ":0");
			}
			sub.addNode(b);
		}
		importWithMapping(graph, sub.build(), prefix, mapping);
		return new NetworkCopy(graph, prefix, inputNode, input, copied, dependent);
	}

	/**
	 * The copy of a tensor of the original network (a layer's output, the logits); a tensor that does not
	 * depend on the input (a weight) is shared, so it is returned as it is.
	 */
	public Output<TFloat32> of(Output<TFloat32> original) {
		String name = original.op().name();
		if (name.equals(inputNode)) return input.asOutput();
		if (!dependent.contains(name)) return original;
		if (!copied.contains(name)) throw new ExplainException("Tensor '" + name + "' does not lie between the model's " +
			"input and its logits.", "Choose a layer between input and output.");
		return graph.operationOrThrow(prefix + "/" + name).output(original.index()).expect(TFloat32.class);
	}

	/** The original of a tensor of this copy (the inverse of {@link #of}); a shared tensor is its own original. */
	public Output<TFloat32> originalOf(Output<TFloat32> copy, Output<TFloat32> modelInput) {
		if (copy.equals(input.asOutput())) return modelInput;
		String name = copy.op().name();
		if (!name.startsWith(prefix + "/")) return copy;
		return graph.operationOrThrow(name.substring(prefix.length() + 1)).output(copy.index()).expect(TFloat32.class);
	}

	private static void importWithMapping(Graph graph, GraphDef def, String prefix, Map<String, Output<?>> mapping) {
		TF_Graph handle;
		try {
			handle = (TF_Graph) NATIVE_HANDLE.get(graph);
		}
		catch (IllegalAccessException e) {
			throw new IllegalStateException(e);
		}
		try (PointerScope scope = new PointerScope()) {
			TF_ImportGraphDefOptions options = TF_ImportGraphDefOptions.newImportGraphDefOptions();
			tensorflow.TF_ImportGraphDefOptionsSetPrefix(options, prefix);
			for (Map.Entry<String, Output<?>> e : mapping.entrySet()) {
				TF_Output target = new TF_Output();
				target.oper(((GraphOperation) e.getValue().op()).getUnsafeNativeHandle()).index(e.getValue().index());
				tensorflow.TF_ImportGraphDefOptionsAddInputMapping(options, e.getKey(), 0, target);
			}
			TF_Buffer buffer = TF_Buffer.newBufferFromString(def);
			TF_Status status = TF_Status.newStatus();
			tensorflow.TF_GraphImportGraphDef(handle, buffer, options, status);
			status.throwExceptionIfNotOK();
		}
		graph.baseScope().refreshNames();
	}

	private static String uniquePrefix(Graph graph) {
		for (int i = 0;; i++) {
			String p = "explainj_copy_" + i;
			if (!hasScope(graph, p)) return p;
		}
	}

	private static boolean hasScope(Graph graph, String prefix) {
		var it = graph.operations();
		while (it.hasNext()) if (it.next().name().startsWith(prefix + "/")) return true;
		return false;
	}
}

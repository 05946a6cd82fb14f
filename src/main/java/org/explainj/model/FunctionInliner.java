package org.explainj.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Turns the part of a TF2/Keras graph that computes one tensor into a flat GraphDef without function
 * calls.
 * <p>
 * Keras SavedModels run their whole body inside {@code StatefulPartitionedCall}; TensorFlow's gradient
 * of that op builds but fails at run time, and its internal layers cannot be fetched. Inlining the
 * function library (recursively) makes every layer an ordinary node. Variable handles are copied with
 * their {@code shared_name}, so after import into the loaded model's graph they resolve to the
 * variables the SavedModel loader already restored.
 */
public final class FunctionInliner {

	private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");

	private final Map<String, FunctionDef> library = new HashMap<>();
	private final Map<String, OpDef> registeredOps = new HashMap<>();
	private final LinkedHashMap<String, NodeDef> emitted = new LinkedHashMap<>();
	/** Flat node name -> the node's name inside the innermost function (for layer naming). */
	private final Map<String, String> localNames = new HashMap<>();

	public FunctionInliner(GraphDef graph) {
		for (FunctionDef f : graph.getLibrary().getFunctionList()) library.put(f.getSignature().getName(), f);
		for (OpDef op : TensorFlow.registeredOpList().getOpList()) registeredOps.put(op.getName(), op);
	}

	/** Result: the flat graph and, for each requested tensor, its name in the flat graph. */
	public record Flat(GraphDef graph, Map<String, String> tensors, Map<String, String> localNames) {}

	/**
	 * Inlines what {@code outputs} (tensor names "node:k" of the top-level graph) depend on.
	 */
	public Flat inline(GraphDef graph, List<String> outputs) {
		Map<String, NodeDef> top = new HashMap<>();
		for (NodeDef n : graph.getNodeList()) top.put(n.getName(), n);
		Scope root = new Scope("", top, Map.of());
		Map<String, String> resolved = new LinkedHashMap<>();
		for (String t : outputs) resolved.put(t, root.resolveTensor(t));
		GraphDef flat = GraphDef.newBuilder().setVersions(graph.getVersions()).addAllNode(emitted.values()).build();
		return new Flat(flat, resolved, Map.copyOf(localNames));
	}

	private boolean isCall(NodeDef n) {
		return CALL_OPS.contains(n.getOp()) || library.containsKey(n.getOp());
	}

	private FunctionDef calledFunction(NodeDef n) {
		String name = library.containsKey(n.getOp()) ? n.getOp() : n.getAttrOrThrow("f").getFunc().getName();
		FunctionDef f = library.get(name);
		if (f == null) throw new ExplainException("The model calls function '" + name + "' that its graph does not define.",
			"Re-export the model with tf.saved_model.save or Keras model.export().");
		return f;
	}

	/** One function body (or the top-level graph) being inlined under a name prefix. */
	private final class Scope {
		final String prefix;
		final Map<String, NodeDef> nodes;
		/** Function argument name -> flat tensor name. */
		final Map<String, String> arguments;
		/** Call node name -> flat tensor names of its outputs. */
		final Map<String, List<String>> inlinedCalls = new HashMap<>();

		Scope(String prefix, Map<String, NodeDef> nodes, Map<String, String> arguments) {
			this.prefix = prefix;
			this.nodes = nodes;
			this.arguments = arguments;
		}

		/** Top-level reference "node:k" or "node". */
		String resolveTensor(String ref) {
			return resolveOutput(TensorNames.node(ref), TensorNames.index(ref));
		}

		/** Function-body reference: "arg", "node:out_arg:idx" or (top level) "node:k". */
		String resolveInput(String ref) {
			if (arguments.containsKey(ref)) return arguments.get(ref);
			String[] parts = ref.split(":");
			if (parts.length == 3) {
				NodeDef n = node(parts[0]);
				return resolveOutput(parts[0], flatIndex(n, parts[1], Integer.parseInt(parts[2])));
			}
			return resolveTensor(ref);
		}

		NodeDef node(String name) {
			NodeDef n = nodes.get(name);
			if (n == null) throw new ExplainException("The model graph refers to a missing node '" + name + "'.",
				"Check that the SavedModel is complete.");
			return n;
		}

		String resolveOutput(String name, int index) {
			NodeDef n = node(name);
			if (isCall(n)) return inlineCall(n).get(index);
			emit(n);
			return prefix + name + ":" + index;
		}

		void emit(NodeDef n) {
			String flatName = prefix + n.getName();
			if (emitted.containsKey(flatName)) return;
			emitted.put(flatName, NodeDef.getDefaultInstance()); // reserve: cycles only via NextIteration
			NodeDef.Builder b = n.toBuilder().setName(flatName).clearInput().clearDevice();
			for (String in : n.getInputList()) {
				if (in.startsWith("^")) {
					String dep = in.substring(1);
					// Control edges to calls or arguments only order stateful side effects the inference
					// graph does not have.
					if (arguments.containsKey(dep) || isCall(node(dep))) continue;
					emit(node(dep));
					b.addInput("^" + prefix + dep);
				}
				else {
					b.addInput(resolveInput(in));
				}
			}
			emitted.put(flatName, b.build());
			localNames.put(flatName, n.getName());
		}

		List<String> inlineCall(NodeDef call) {
			List<String> done = inlinedCalls.get(call.getName());
			if (done != null) return done;
			FunctionDef f = calledFunction(call);
			OpDef sig = f.getSignature();
			List<String> dataInputs = GraphIndex.dataInputs(call);
			if (dataInputs.size() != sig.getInputArgCount()) throw new ExplainException(
				"Function '" + sig.getName() + "' takes " + sig.getInputArgCount() + " inputs but node '" +
					call.getName() + "' passes " + dataInputs.size() + ".", "The model uses list-valued function arguments, which ExplainJ cannot inline.");
			Map<String, String> args = new HashMap<>();
			for (int i = 0; i < dataInputs.size(); i++) {
				args.put(sig.getInputArg(i).getName(), resolveInput(dataInputs.get(i)));
			}
			Map<String, NodeDef> body = new HashMap<>();
			for (NodeDef n : f.getNodeDefList()) body.put(n.getName(), n);
			Scope inner = new Scope(prefix + call.getName() + "/", body, args);
			List<String> outs = new ArrayList<>();
			for (OpDef.ArgDef out : sig.getOutputArgList()) {
				outs.add(inner.resolveInput(f.getRetOrThrow(out.getName())));
			}
			// Nodes with side effects only (no path to an output) are left out on purpose.
			inlinedCalls.put(call.getName(), outs);
			return outs;
		}

		/** Maps "out_arg:idx" of a node to the flat output index the graph uses ("node:k"). */
		int flatIndex(NodeDef n, String outArg, int idx) {
			// PartitionedCall ops name their outputs "output" (a list); a direct call uses the function's names.
			OpDef def = library.containsKey(n.getOp()) ? library.get(n.getOp()).getSignature() : registeredOps.get(n.getOp());
			if (def == null) throw new ExplainException("The model uses op '" + n.getOp() + "' (node '" + n.getName() +
				"') that this TensorFlow build does not know.", "Export the model without custom ops.");
			int offset = 0;
			for (OpDef.ArgDef arg : def.getOutputArgList()) {
				if (arg.getName().equals(outArg)) return offset + idx;
				offset += argLength(n, arg);
			}
			throw new ExplainException("Node '" + n.getName() + "' has no output '" + outArg + "'.", "Check the model.");
		}

		private int argLength(NodeDef n, OpDef.ArgDef arg) {
			if (!arg.getNumberAttr().isEmpty()) return (int) n.getAttrOrThrow(arg.getNumberAttr()).getI();
			if (!arg.getTypeListAttr().isEmpty()) {
				AttrValue v = n.getAttrOrThrow(arg.getTypeListAttr());
				return v.getList().getTypeCount();
			}
			return 1;
		}
	}

	/** True when computing {@code tensor} (a top-level "node:k") runs a function call. */
	public static boolean dependsOnCall(GraphDef graph, String tensor) {
		Map<String, NodeDef> nodes = new HashMap<>();
		for (NodeDef n : graph.getNodeList()) nodes.put(n.getName(), n);
		Set<String> libraryNames = new java.util.HashSet<>();
		graph.getLibrary().getFunctionList().forEach(f -> libraryNames.add(f.getSignature().getName()));
		Deque<String> todo = new ArrayDeque<>();
		Set<String> seen = new java.util.HashSet<>();
		todo.add(tensor.split(":")[0]);
		while (!todo.isEmpty()) {
			String name = todo.pop();
			if (!seen.add(name)) continue;
			NodeDef n = nodes.get(name);
			if (n == null) continue;
			if (CALL_OPS.contains(n.getOp()) || libraryNames.contains(n.getOp())) return true;
			for (String in : n.getInputList()) todo.add(TensorNames.node(in));
		}
		return false;
	}
}

package org.explainj.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.internal.types.registry.TensorTypeRegistry;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssignVariableOp;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Restores the variables that a TF2 SavedModel's functions capture where TensorFlow's session loader
 * leaves them unset.
 * <p>
 * A Keras 3 model saved with {@code tf.saved_model.save} has two variable handles per weight: the ones
 * its checkpoint restore function fills, and the ones its serving function captures. The session
 * loader runs only the restore function, so the captured ones stay empty ("Could not find variable").
 * Python's {@code tf.saved_model.load} binds them through the object graph instead; this does the same:
 * a concrete function's captured inputs are, in order, the object graph nodes of its
 * {@code bound_inputs}, and the checkpoint's own object graph (same node ids) names each node's value.
 */
final class CapturedVariables {

	/** The checkpoint entry holding the serialised {@link TrackableObjectGraph}. */
	private static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";
	private static final String VALUE_ATTRIBUTE = "VARIABLE_VALUE";
	private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");

	private CapturedVariables() {}

	/**
	 * Assigns every captured variable handle that the restore op does not fill its value from the
	 * checkpoint at {@code variablesPrefix} (the SavedModel's variables/variables). Does nothing for
	 * models whose functions capture only restored handles (Keras {@code model.export}, TF1).
	 */
	static void restore(SavedModelBundle bundle, MetaGraphDef meta, Path variablesPrefix, Path dir) {
		Map<String, Integer> unrestored = unrestoredHandles(meta);
		if (unrestored.isEmpty()) return;
		TrackableObjectGraph checkpoint = checkpointObjectGraph(variablesPrefix, dir);
		Map<String, String> keys = new LinkedHashMap<>();
		unrestored.forEach((handle, node) -> keys.put(handle, checkpointKey(checkpoint, node, handle, dir)));
		Graph graph = bundle.graph();
		Ops tf = Ops.create(graph).withSubScope("explainj_restore");
		List<Class<? extends TType>> types = new ArrayList<>();
		for (String handle : keys.keySet()) types.add(TensorTypeRegistry.find(graph.operation(handle).attributes()
			.getAttrType("dtype")).type());
		List<String> names = List.copyOf(keys.values());
		var values = tf.train.restore(tf.constant(variablesPrefix.toString()), strings(tf, names), strings(tf, names
			.stream().map(k -> "").toList()), types).tensors();
		Session.Runner run = bundle.session().runner();
		int i = 0;
		for (String handle : keys.keySet()) {
			AssignVariableOp assign = tf.assignVariableOp(graph.operation(handle).output(0), values.get(i++));
			run.addTarget(assign);
		}
		try {
			run.run();
		}
		catch (RuntimeException e) {
			throw new ExplainException("Cannot restore the variables of the SavedModel in " + dir + " from its " +
				"checkpoint: " + e.getMessage(), "Check that variables/ belongs to this saved_model.pb (save it again).", e);
		}
	}

	/** Top-level variable handles captured by a function call but not passed to the restore op, with their object ids. */
	private static Map<String, Integer> unrestoredHandles(MetaGraphDef meta) {
		Map<String, NodeDef> nodes = new HashMap<>();
		meta.getGraphDef().getNodeList().forEach(n -> nodes.put(n.getName(), n));
		NodeDef restoreOp = nodes.get(TensorNames.node(meta.getSaverDef().getRestoreOpName()));
		Set<String> restored = new java.util.HashSet<>();
		if (restoreOp != null) restoreOp.getInputList().forEach(in -> restored.add(TensorNames.node(in)));
		Map<String, SavedConcreteFunction> functions = meta.getObjectGraphDef().getConcreteFunctionsMap();
		Map<String, Integer> handles = new LinkedHashMap<>();
		for (NodeDef call : meta.getGraphDef().getNodeList()) {
			if (!CALL_OPS.contains(call.getOp()) || call == restoreOp) continue;
			SavedConcreteFunction f = functions.get(call.getAttrOrThrow("f").getFunc().getName());
			if (f == null) continue;
			List<String> data = GraphIndex.dataInputs(call);
			List<Integer> bound = f.getBoundInputsList();
			int first = data.size() - bound.size();
			if (first < 0) continue;
			for (int k = 0; k < bound.size(); k++) {
				String handle = TensorNames.node(data.get(first + k));
				NodeDef n = nodes.get(handle);
				if (n != null && n.getOp().equals("VarHandleOp") && !restored.contains(handle)) handles.put(handle, bound.get(k));
			}
		}
		return handles;
	}

	private static TrackableObjectGraph checkpointObjectGraph(Path variablesPrefix, Path dir) {
		try (Graph g = new Graph(); Session s = Threads.session(g)) {
			Ops tf = Ops.create(g);
			var read = tf.train.restore(tf.constant(variablesPrefix.toString()), strings(tf, List.of(OBJECT_GRAPH_KEY)),
				strings(tf, List.of("")), List.of(TString.class)).tensors().get(0);
			try (Result r = s.runner().fetch(read).run()) {
				return TrackableObjectGraph.parseFrom(((TString) r.get(0)).asBytes().getObject());
			}
		}
		catch (InvalidProtocolBufferException | RuntimeException e) {
			throw new ExplainException("The SavedModel in " + dir + " captures variables that TensorFlow does not " +
				"restore, and its checkpoint has no readable object graph: " + e.getMessage(),
				"Save the model again with tf.saved_model.save or Keras model.export().", e);
		}
	}

	private static Operand<TString> strings(Ops tf, List<String> values) {
		return tf.constant(NdArrays.vectorOfObjects(values.toArray(String[]::new)));
	}

	private static String checkpointKey(TrackableObjectGraph checkpoint, int node, String handle, Path dir) {
		if (node < checkpoint.getNodesCount()) {
			for (var a : checkpoint.getNodes(node).getAttributesList()) {
				if (a.getName().equals(VALUE_ATTRIBUTE)) return a.getCheckpointKey();
			}
		}
		throw new ExplainException("The variable '" + handle + "' of the SavedModel in " + dir + " has no value in " +
			"its checkpoint (variables/).", "Save the model again with tf.saved_model.save or Keras model.export().");
	}
}

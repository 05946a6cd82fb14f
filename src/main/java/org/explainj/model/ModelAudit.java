package org.explainj.model;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.explainj.ExplainException;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Checks a model's operations before TensorFlow runs any of them. A SavedModel or a graph is a program:
 * besides arithmetic it can read, list and write files, talk to other machines or call back into
 * Python, and TensorFlow's loader runs a TF1 SavedModel's main_op while loading. An image classifier
 * needs none of that, so every node of the graph and of every function in its library is checked
 * against {@link #DENIED} and the {@link #CONDITIONAL} rules; the only file operations allowed are the
 * checkpoint ops of the SavedModel's own saver (the restore the loader runs and the save nobody runs).
 */
public final class ModelAudit {

	/** One operation the audit refuses: its op type, node, the function holding it (null: the graph), why. */
	public record Finding(String op, String node, String function, String reason) {

		@Override
		public String toString() {
			return op + " (node '" + node + "'" + (function == null ? "" : " in function '" + function + "'") + ")";
		}
	}

	private static final String FILES = "read, list or write files";
	private static final String CHECKPOINT = "read or write checkpoint files";
	private static final String SUMMARIES = "write event files";
	private static final String PYTHON = "call back into Python";
	private static final String NETWORK = "communicate with other processes or machines";
	private static final String DATA = "read data from outside the model (datasets, readers)";
	private static final String HIDDEN = "run a program hidden in a string";

	/** Checkpoint ops the SavedModel's own saver may hold; see {@link #ownCheckpointOps}. */
	private static final Set<String> RESTORE_OPS = Set.of("Restore", "RestoreV2", "RestoreSlice");
	private static final Set<String> SAVE_OPS = Set.of("Save", "SaveV2", "SaveSlices", "MergeV2Checkpoints");

	/**
	 * Operations refused wherever they are, chosen from the op list that the TensorFlow runtime of
	 * TensorFlow Java 1.1.0 (TF 2.18) registers: file I/O (ImmutableConst maps a file into memory; the
	 * table and remapping ops and Skipgram read vocabulary, text and checkpoint files; RecordInput reads
	 * files by pattern; DumpTensor and CalibrationStatisticsSaver write files), checkpoints, summary
	 * writers, Python callbacks, cross-process communication (RPC, send/receive, host transfers) and
	 * programs hidden in a string (XlaCallModule). ModelAuditTest walks the runtime's op list, so that
	 * a TensorFlow upgrade bringing new ops of this kind fails the build until they are judged.
	 */
	static final Map<String, String> DENIED = denied();

	/**
	 * Datasets, readers and iterators over them exist to bring data from files or services into a
	 * training loop; a classifier reads only its input tensor. A dataset can also hide a whole graph in
	 * a string (DatasetFromGraph) that this audit would not see. Matched by name so that new variants
	 * are refused too (SnapshotDatasetV2, DataServiceDatasetV4, IteratorGetNextSync ...).
	 */
	private static final Pattern DATA_OPS = Pattern.compile(".*(Dataset|Iterator|Reader).*|DistributedSave");

	/**
	 * TPU system, embedding and host-transfer ops talk to TPU hosts, which a classifier run on a CPU or
	 * GPU never needs; matched by name like {@link #DATA_OPS}.
	 */
	private static final Pattern TPU_OPS = Pattern.compile(".*TPU.*");

	/**
	 * Operations refused only with certain attributes: the debugger's ops with a dump URL or folder
	 * (file:// or grpc://), PrintV2 into a file, proto codecs whose descriptors come from a file, a
	 * candidate sampler reading its vocabulary from a file.
	 */
	static final Map<String, Predicate<NodeDef>> CONDITIONAL = Map.ofEntries(
		Map.entry("DebugIdentity", ModelAudit::dumps),
		Map.entry("DebugIdentityV2", ModelAudit::dumps),
		Map.entry("DebugIdentityV3", ModelAudit::dumps),
		Map.entry("DebugNanCount", ModelAudit::dumps),
		Map.entry("DebugNumericSummary", ModelAudit::dumps),
		Map.entry("DebugNumericSummaryV2", ModelAudit::dumps),
		Map.entry("PrintV2", n -> attr(n, "output_stream").startsWith("file://")),
		Map.entry("DecodeProtoV2", ModelAudit::descriptorFile),
		Map.entry("EncodeProto", ModelAudit::descriptorFile),
		Map.entry("FixedUnigramCandidateSampler", n -> !attr(n, "vocab_file").isEmpty()));

	private static final int NAMED = 5;

	private ModelAudit() {}

	private static Map<String, String> denied() {
		Map<String, String> m = new HashMap<>();
		for (String op : List.of("ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst", "FileSystemSetConfiguration",
			"InitializeTableFromTextFile", "InitializeTableFromTextFileV2", "GenerateVocabRemapping", "LoadAndRemapMatrix",
			"RecordInput", "Skipgram", "DumpTensor", "CalibrationStatisticsSaver")) m.put(op, FILES);
		for (String op : RESTORE_OPS) m.put(op, CHECKPOINT);
		m.put("DTensorRestoreV2", CHECKPOINT);
		for (String op : SAVE_OPS) m.put(op, CHECKPOINT);
		for (String op : List.of("CreateSummaryFileWriter", "CreateSummaryDbWriter", "SummaryWriter", "WriteSummary",
			"WriteScalarSummary", "WriteImageSummary", "WriteAudioSummary", "WriteHistogramSummary", "WriteGraphSummary",
			"WriteRawProtoSummary", "ImportEvent", "FlushSummaryWriter", "CloseSummaryWriter",
			"StatsAggregatorSetSummaryWriter")) m.put(op, SUMMARIES);
		for (String op : List.of("PyFunc", "PyFuncStateless", "EagerPyFunc")) m.put(op, PYTHON);
		for (String op : List.of("Send", "Recv", "_Send", "_Recv", "_HostSend", "_HostRecv", "CollectiveReduce",
			"CollectiveReduceV2", "CollectiveReduceV3", "CollectiveGather", "CollectiveGatherV2", "CollectiveBcastSend",
			"CollectiveBcastSendV2", "CollectiveBcastRecv", "CollectiveBcastRecvV2", "CollectiveAllToAllV2",
			"CollectiveAllToAllV3", "CollectivePermute", "CollectiveReduceScatterV2", "CollectiveInitializeCommunicator",
			"CollectiveAssignGroupV2", "NcclAllReduce", "NcclBroadcast", "NcclReduce", "_NcclReduceSend", "_NcclReduceRecv",
			"_NcclBroadcastSend", "_NcclBroadcastRecv", "RemoteCall", "RpcServer", "RpcServerStart", "RpcServerRegister",
			"RpcClient", "RpcCall", "RpcGetValue", "RpcCheckStatus", "DeleteRpcFutureResource", "XlaSend", "XlaRecv",
			"XlaSendToHost", "XlaRecvFromHost", "_XlaSendFromHost", "_XlaSendFromHostV2", "_XlaRecvAtHost",
			"_XlaRecvAtHostV2", "XlaHostCompute", "_XlaHostComputeMlir")) m.put(op, NETWORK);
		m.put("XlaCallModule", HIDDEN);
		return Map.copyOf(m);
	}

	/** Why {@code node} is refused, or null; checkpoint ops are judged here too (the saver's are excused later). */
	static String reason(NodeDef node) {
		String op = node.getOp();
		if (DENIED.containsKey(op)) return DENIED.get(op);
		if (DATA_OPS.matcher(op).matches()) return DATA;
		if (TPU_OPS.matcher(op).matches()) return NETWORK;
		Predicate<NodeDef> conditional = CONDITIONAL.get(op);
		return conditional != null && conditional.test(node) ? FILES : null;
	}

	/** Every refused op of a frozen graph (its nodes and its function library). */
	public static List<Finding> of(GraphDef graph) {
		return findings(graph, Set.of(), Set.of());
	}

	/** Every refused op of every meta graph of a SavedModel, the saver's own checkpoint ops excepted. */
	public static List<Finding> of(SavedModel model) {
		List<Finding> all = new ArrayList<>();
		for (MetaGraphDef meta : model.getMetaGraphsList()) {
			Set<String> ownNodes = new HashSet<>();
			Set<String> ownFunctions = new HashSet<>();
			ownCheckpointOps(meta, ownNodes, ownFunctions);
			all.addAll(findings(meta.getGraphDef(), ownNodes, ownFunctions));
		}
		return all;
	}

	/**
	 * Throws unless the model is clean or trusted. The message names the first few ops and nodes, so
	 * the user can judge the model.
	 */
	public static void check(List<Finding> findings, Path model, boolean trust) {
		if (findings.isEmpty() || trust) return;
		throw new ExplainException("The model " + model + " holds operations that " + reasons(findings) + ": " +
			describe(findings) + "; ExplainJ does not run it.", "Use a model from a source you trust; to run this one " +
				"anyway, pass --trust-model (command line), tick 'Trust model' (dialog) or add 'trust' (macro).");
	}

	/** What the results of a model run despite the audit say, e.g. "Trusted model m.pb: ran although ...". */
	public static String trustNote(ClassifierModel model) {
		return "Trusted model " + model.path().getFileName() + ": ran although it holds operations that " + reasons(model
			.auditFindings()) + ": " + describe(model.auditFindings()) + ".";
	}

	/** The first few findings and how many more, e.g. "WriteFile (node 'w'), ReadFile (node 'r') and 3 more". */
	private static String describe(List<Finding> findings) {
		String named = findings.stream().limit(NAMED).map(Finding::toString).collect(Collectors.joining(", "));
		return findings.size() > NAMED ? named + " and " + (findings.size() - NAMED) + " more" : named;
	}

	private static String reasons(List<Finding> findings) {
		List<String> distinct = findings.stream().map(Finding::reason).distinct().toList();
		if (distinct.size() == 1) return distinct.get(0);
		return String.join(", ", distinct.subList(0, distinct.size() - 1)) + " or " + distinct.get(distinct.size() - 1);
	}

	private static List<Finding> findings(GraphDef graph, Set<String> ownNodes, Set<String> ownFunctions) {
		List<Finding> found = new ArrayList<>();
		for (NodeDef n : graph.getNodeList()) {
			String why = reason(n);
			if (why != null && !ownNodes.contains(n.getName())) found.add(new Finding(n.getOp(), n.getName(), null, why));
		}
		for (FunctionDef f : graph.getLibrary().getFunctionList()) {
			String name = f.getSignature().getName();
			for (NodeDef n : f.getNodeDefList()) {
				String why = reason(n);
				boolean own = ownFunctions.contains(name) && (RESTORE_OPS.contains(n.getOp()) || SAVE_OPS.contains(n
					.getOp()));
				if (why != null && !own) found.add(new Finding(n.getOp(), n.getName(), name, why));
			}
		}
		return found;
	}

	/**
	 * The checkpoint nodes and functions of the SavedModel's saver: restore ops reachable from the saver's
	 * restore op (the loader runs it to read variables/), save ops reachable from its save tensor and from
	 * nothing that runs (the restore, main_op, init ops, signatures). In TF1 models these are graph
	 * nodes; in TF2 models they sit in the functions the saver calls.
	 */
	private static void ownCheckpointOps(MetaGraphDef meta, Set<String> ownNodes, Set<String> ownFunctions) {
		SaverDef saver = meta.getSaverDef();
		if (saver.getRestoreOpName().isEmpty()) return;
		GraphDef graph = meta.getGraphDef();
		Map<String, NodeDef> nodes = new HashMap<>();
		for (NodeDef n : graph.getNodeList()) nodes.put(n.getName(), n);
		Map<String, FunctionDef> library = new HashMap<>();
		for (FunctionDef f : graph.getLibrary().getFunctionList()) library.put(f.getSignature().getName(), f);

		Set<String> restore = closure(List.of(saver.getRestoreOpName()), nodes);
		Set<String> save = closure(List.of(saver.getSaveTensorName()), nodes);
		List<String> runRoots = new ArrayList<>(List.of(saver.getRestoreOpName()));
		for (CollectionDef c : meta.getCollectionDefMap().values()) runRoots.addAll(c.getNodeList().getValueList());
		for (SignatureDef sig : meta.getSignatureDefMap().values()) {
			for (TensorInfo t : sig.getInputsMap().values()) runRoots.add(t.getName());
			for (TensorInfo t : sig.getOutputsMap().values()) runRoots.add(t.getName());
		}
		Set<String> run = closure(runRoots, nodes);
		Set<String> restoreFunctions = functions(restore, nodes, library);
		Set<String> runFunctions = functions(run, nodes, library);
		Set<String> saveFunctions = functions(save, nodes, library);
		for (String n : restore) if (RESTORE_OPS.contains(op(n, nodes))) ownNodes.add(n);
		for (String n : save) if (SAVE_OPS.contains(op(n, nodes)) && !run.contains(n)) ownNodes.add(n);
		ownFunctions.addAll(restoreFunctions);
		ownFunctions.addAll(saveFunctions);
		ownFunctions.removeIf(f -> runFunctions.contains(f) && !restoreFunctions.contains(f));
		// a function reached by both the restore and something else that runs may restore, never save
		for (String f : restoreFunctions) {
			boolean saves = library.get(f).getNodeDefList().stream().anyMatch(n -> SAVE_OPS.contains(n.getOp()));
			if (saves) ownFunctions.remove(f);
		}
	}

	private static String op(String node, Map<String, NodeDef> nodes) {
		NodeDef n = nodes.get(node);
		return n == null ? "" : n.getOp();
	}

	/** The graph nodes {@code roots} depend on, through data and control inputs. */
	private static Set<String> closure(List<String> roots, Map<String, NodeDef> nodes) {
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>();
		for (String r : roots) if (!r.isEmpty()) todo.add(TensorNames.node(r));
		while (!todo.isEmpty()) {
			String n = todo.pop();
			if (!seen.add(n) || !nodes.containsKey(n)) continue;
			for (String in : nodes.get(n).getInputList()) todo.add(TensorNames.node(in));
		}
		return seen;
	}

	/** The library functions that {@code graphNodes} call, directly or through other functions. */
	private static Set<String> functions(Set<String> graphNodes, Map<String, NodeDef> nodes,
		Map<String, FunctionDef> library)
	{
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>();
		for (String n : graphNodes) if (nodes.containsKey(n)) todo.addAll(called(nodes.get(n), library));
		while (!todo.isEmpty()) {
			String f = todo.pop();
			if (!seen.add(f)) continue;
			for (NodeDef n : library.get(f).getNodeDefList()) todo.addAll(called(n, library));
		}
		return seen;
	}

	private static List<String> called(NodeDef node, Map<String, FunctionDef> library) {
		List<String> names = new ArrayList<>();
		if (library.containsKey(node.getOp())) names.add(node.getOp());
		for (AttrValue a : node.getAttrMap().values()) {
			if (a.hasFunc()) names.add(a.getFunc().getName());
			for (NameAttrList f : a.getList().getFuncList()) names.add(f.getName());
		}
		names.removeIf(n -> !library.containsKey(n));
		return names;
	}

	private static boolean dumps(NodeDef n) {
		AttrValue urls = n.getAttrOrDefault("debug_urls", null);
		return urls != null && urls.getList().getSCount() > 0 || !attr(n, "dump_root").isEmpty();
	}

	private static boolean descriptorFile(NodeDef n) {
		String source = attr(n, "descriptor_source");
		return !source.isEmpty() && !source.equals("local://");
	}

	private static String attr(NodeDef n, String name) {
		AttrValue v = n.getAttrOrDefault(name, null);
		return v == null ? "" : v.getS().toStringUtf8();
	}
}

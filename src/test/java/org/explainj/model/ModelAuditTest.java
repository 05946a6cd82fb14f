package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;

/**
 * The audit refuses the hostile fixtures (made by tools/fixtures/make_hostile_models.py) before
 * TensorFlow runs any of their ops, runs them when trusted, and passes every benign model.
 */
class ModelAuditTest {

	static final Path HOSTILE = TestData.HOSTILE;
	static final Path WRITTEN = TestData.HOSTILE_WRITES;

	@TempDir
	Path tmp;

	@BeforeEach
	void nothingWrittenYet() throws IOException {
		deleteWritten();
	}

	static void deleteWritten() throws IOException {
		TestData.deleteWhatHostileModelsWrote();
	}

	@Test
	void tf1MainOpThatWritesIsRefusedBeforeLoading() throws IOException {
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(HOSTILE.resolve(
			"tf1-main-op-writes")));
		assertTrue(e.getMessage().contains("WriteFile (node 'main_op_write')"), e.getMessage());
		assertTrue(e.getMessage().contains("read, list or write files"), e.getMessage());
		assertFalse(Files.exists(WRITTEN.resolve("tf1-main-op.txt")), "the main_op did not run");
	}

	@Test
	void trustedTf1ModelRunsItsMainOpAndSaysSo() throws IOException {
		try (ClassifierModel m = ModelLoader.load(ModelFiles.read(HOSTILE.resolve("tf1-main-op-writes")), true)) {
			assertTrue(Files.exists(WRITTEN.resolve("tf1-main-op.txt")), "trusted: TensorFlow ran the main_op at load");
			assertEquals(List.of("WriteFile"), m.auditFindings().stream().map(ModelAudit.Finding::op).toList());
			assertTrue(ModelAudit.trustNote(m).startsWith("Trusted model tf1-main-op-writes: ran although it holds " +
				"operations that read, list or write files: WriteFile (node 'main_op_write')"), ModelAudit.trustNote(m));
		}
		finally {
			deleteWritten();
		}
	}

	@Test
	void tf2FunctionThatReadsListsAndWritesIsRefused() {
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(HOSTILE.resolve(
			"tf2-writes-output")));
		for (String op : List.of("MatchingFiles", "ReadFile", "WriteFile")) {
			assertTrue(e.getMessage().matches(".*" + op + " \\(node '[^']+' in function '__inference_serve_\\d+'\\).*"), e
				.getMessage());
		}
		assertFalse(Files.exists(WRITTEN));
	}

	@Test
	void frozenGraphThatWritesIsRefused() {
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(HOSTILE.resolve(
			"frozen-writes-output.pb")));
		assertTrue(e.getMessage().contains("WriteFile (node 'WriteFile')"), e.getMessage());
		assertTrue(e.getMessage().contains("ReadFile (node 'ReadFile')"), e.getMessage());
		assertFalse(Files.exists(WRITTEN));
	}

	/** Every model in test-images/ but the hostile ones, and SavedModels exported by TF Java, pass. */
	@Test
	void benignModelsPassTheAudit() throws IOException {
		List<Path> models = new ArrayList<>();
		try (Stream<Path> files = Files.walk(Path.of("test-images/models"))) {
			for (Path p : files.filter(p -> !p.startsWith(HOSTILE)).toList()) {
				if (p.getFileName().toString().equals("saved_model.pb")) models.add(p.getParent());
				else if (p.toString().endsWith(".pb") && !p.getFileName().toString().equals("fingerprint.pb") && !p
					.getFileName().toString().equals("keras_metadata.pb")) models.add(p);
			}
		}
		models.add(TestData.tf1SavedModel(tmp.resolve("tf-java"), true));
		assertTrue(models.size() >= 10, "found " + models);
		for (Path m : models) assertEquals(List.of(), findings(m), m.toString());
	}

	/** The saver's own checkpoint ops are allowed only where the loader runs them (restore) or nobody does (save). */
	@Test
	void saverOpsRunByTheMainOpAreRefused() throws IOException {
		SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(TestData.tf1SavedModel(tmp.resolve("m"), true).resolve(
			"saved_model.pb")));
		assertEquals(List.of(), ModelAudit.of(saved), "the exporter's own saver passes");
		MetaGraphDef meta = saved.getMetaGraphs(0);
		String saveTensor = meta.getSaverDef().getSaveTensorName();
		SavedModel saving = saved.toBuilder().setMetaGraphs(0, meta.toBuilder().putCollectionDef("saved_model_main_op",
			CollectionDef.newBuilder().setNodeList(CollectionDef.NodeList.newBuilder().addValue(saveTensor)).build()))
			.build();
		List<ModelAudit.Finding> found = ModelAudit.of(saving);
		assertFalse(found.isEmpty());
		assertTrue(found.stream().allMatch(f -> f.op().equals("SaveV2") || f.op().equals("MergeV2Checkpoints")), found
			.toString());
		GraphDef frozen = meta.getGraphDef();
		assertTrue(ModelAudit.of(frozen).stream().anyMatch(f -> f.op().equals("RestoreV2")),
			"without a saver, a graph may not restore");
	}

	/** The reviewer's case: a SavedModel whose main_op is DumpTensor (a file writer) is refused before loading. */
	@Test
	void mainOpThatDumpsATensorIsRefused() throws IOException {
		Path dir = TestData.tf1SavedModel(tmp.resolve("dumps"), true);
		Files.write(dir.resolve("saved_model.pb"), withMainOp(dir, "DumpTensor", "dump", Map.of("log_dir_path", WRITTEN
			.toString(), "file_name", "dump.pb", "func_name", "f", "node_name", "n")).toByteArray());
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(dir));
		assertTrue(e.getMessage().contains("read, list or write files: DumpTensor (node 'dump')"), e.getMessage());
		assertFalse(Files.exists(WRITTEN));
	}

	/** The SavedModel in {@code dir} with a main_op {@code op} (string attributes {@code attrs}) of a float constant. */
	static SavedModel withMainOp(Path dir, String op, String name, Map<String, String> attrs) throws IOException {
		SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		MetaGraphDef meta = saved.getMetaGraphs(0);
		NodeDef value = NodeDef.newBuilder().setName(name + "_value").setOp("Const").putAttr("dtype", AttrValue
			.newBuilder().setType(DataType.DT_FLOAT).build()).putAttr("value", AttrValue.newBuilder().setTensor(
				TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).addFloatVal(1)).build()).build();
		NodeDef.Builder main = NodeDef.newBuilder().setName(name).setOp(op).addInput(value.getName()).putAttr("T",
			AttrValue.newBuilder().setType(DataType.DT_FLOAT).build()).putAttr("enabled", AttrValue.newBuilder().setB(true)
				.build());
		attrs.forEach((k, v) -> main.putAttr(k, AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(
			v)).build()));
		GraphDef graph = meta.getGraphDef().toBuilder().addNode(value).addNode(main).build();
		return saved.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(graph).putCollectionDef(
			"saved_model_main_op", CollectionDef.newBuilder().setNodeList(CollectionDef.NodeList.newBuilder().addValue(name))
				.build())).build();
	}

	@Test
	void denyListAndConditionalRules() {
		for (String op : List.of("ReadFile", "WriteFile", "MatchingFiles", "PyFunc", "EagerPyFunc", "ImmutableConst",
			"TFRecordDatasetV2", "TextLineDataset", "FixedLengthRecordDataset", "WholeFileReaderV2", "ReaderReadV2",
			"SnapshotDatasetV2", "DataServiceDatasetV4", "DatasetToTFRecord", "CreateSummaryFileWriter",
			"CollectiveReduceV2", "InitializeTableFromTextFileV2", "DatasetFromGraph", "DatasetToSingleElement",
			"IteratorGetNext", "MakeIterator", "RegisterDatasetV2", "RemoteCall", "DumpTensor", "CalibrationStatisticsSaver",
			"RpcServer", "RpcServerStart", "RpcServerRegister", "RpcClient", "RpcCall", "XlaSendToHost", "_XlaSendFromHost",
			"XlaCallModule", "Skipgram", "LoadTPUEmbeddingAdagradParameters")) assertNotNull(ModelAudit.reason(node(op)), op);
		for (String op : List.of("Conv2D", "MatMul", "Snapshot", "Print", "Const", "ReadVariableOp", "StatefulPartitionedCall",
			"PrintV2", "DebugIdentity", "DecodeProtoV2", "FixedUnigramCandidateSampler", "ShardedFilename")) assertNull(
				ModelAudit.reason(node(op)), op);
		assertNotNull(ModelAudit.reason(node("PrintV2", "output_stream", AttrValue.newBuilder().setS(
			com.google.protobuf.ByteString.copyFromUtf8("file:///tmp/leak")).build())));
		assertNull(ModelAudit.reason(node("PrintV2", "output_stream", AttrValue.newBuilder().setS(
			com.google.protobuf.ByteString.copyFromUtf8("stderr")).build())));
		assertNotNull(ModelAudit.reason(node("DebugIdentity", "debug_urls", AttrValue.newBuilder().setList(AttrValue
			.ListValue.newBuilder().addS(com.google.protobuf.ByteString.copyFromUtf8("file:///tmp/dump"))).build())));
		assertNotNull(ModelAudit.reason(node("FixedUnigramCandidateSampler", "vocab_file", AttrValue.newBuilder().setS(
			com.google.protobuf.ByteString.copyFromUtf8("/etc/passwd")).build())));
		assertNotNull(ModelAudit.reason(node("DecodeProtoV2", "descriptor_source", AttrValue.newBuilder().setS(
			com.google.protobuf.ByteString.copyFromUtf8("/tmp/descriptors.bin")).build())));
	}

	@Test
	void messageNamesAFewOpsThenCountsTheRest() {
		GraphDef.Builder g = GraphDef.newBuilder();
		for (int i = 0; i < 7; i++) g.addNode(NodeDef.newBuilder().setName("w" + i).setOp("WriteFile"));
		g.addNode(NodeDef.newBuilder().setName("p").setOp("PyFunc"));
		ExplainException e = assertThrows(ExplainException.class, () -> ModelAudit.check(ModelAudit.of(g.build()), Path.of(
			"m.pb"), false));
		assertEquals("The model m.pb holds operations that read, list or write files or call back into Python: " +
			"WriteFile (node 'w0'), WriteFile (node 'w1'), WriteFile (node 'w2'), WriteFile (node 'w3'), WriteFile " +
			"(node 'w4') and 3 more; ExplainJ does not run it. Use a model from a source you trust; to run this one " +
			"anyway, pass --trust-model (command line), tick 'Trust model' (dialog) or add 'trust' (macro).", e.getMessage());
		ModelAudit.check(ModelAudit.of(g.build()), Path.of("m.pb"), true);
	}

	/**
	 * Every op the TensorFlow runtime registers whose name or string attributes suggest files, network,
	 * processes or hidden programs is refused, checked by a {@link ModelAudit#CONDITIONAL} rule, or on
	 * {@link #REVIEWED} with the reason it is harmless: a TensorFlow upgrade that brings a new file op
	 * fails here until someone has judged it.
	 */
	@Test
	void everyRegisteredOpThatLooksLikeIOIsJudged() {
		OpList ops = TensorFlow.registeredOpList();
		assertTrue(ops.getOpCount() > 1000, "the runtime's op list: " + ops.getOpCount());
		List<String> unjudged = new ArrayList<>();
		for (OpDef op : ops.getOpList()) {
			String name = op.getName();
			if (!LOOKS_LIKE_IO.matcher(name).find() && op.getAttrList().stream().noneMatch(ModelAuditTest::pathAttr))
				continue;
			boolean judged = ModelAudit.reason(node(name)) != null || ModelAudit.CONDITIONAL.containsKey(name) || REVIEWED
				.containsKey(name);
			if (!judged) unjudged.add(name + op.getAttrList().stream().filter(ModelAuditTest::pathAttr).map(
				OpDef.AttrDef::getName).toList());
		}
		assertEquals(List.of(), unjudged, "ops that may touch files, network or processes: deny them, add a " +
			"conditional rule, or review them here");
		for (String op : REVIEWED.keySet()) assertTrue(ops.getOpList().stream().anyMatch(o -> o.getName().equals(op)),
			"reviewed op " + op + " is registered");
	}

	private static final Pattern LOOKS_LIKE_IO = Pattern.compile(
		"File|Save|Restore|Dump|Rpc|Send|Recv|Write|Read|Load|Py|Dataset|Iterator|Reader|Summary|Debug|Print|" +
			"Xla.*Module|Host");

	/** A string attribute named like a path; "direction" (unidirectional/bidirectional, CudnnRNN, sorts) is not. */
	private static boolean pathAttr(OpDef.AttrDef a) {
		String name = a.getName().toLowerCase(java.util.Locale.ROOT);
		return a.getType().contains("string") && !name.equals("direction") && name.matches(".*(path|file|dir|url).*");
	}

	/** Ops whose names look like I/O but that touch nothing outside the process, one reason each. */
	private static final Map<String, String> REVIEWED = Map.ofEntries(
		Map.entry("ReadVariableOp", "reads a resource variable in memory"),
		Map.entry("_ReadVariablesOp", "reads resource variables in memory"),
		Map.entry("ReadVariableXlaSplitND", "reads a resource variable in memory and splits it"),
		Map.entry("DisableCopyOnRead", "sets a flag of a resource variable"),
		Map.entry("RngReadAndSkip", "reads and advances a random generator's state in memory"),
		Map.entry("TensorArrayRead", "reads an in-memory tensor array"),
		Map.entry("TensorArrayReadV2", "reads an in-memory tensor array"),
		Map.entry("TensorArrayReadV3", "reads an in-memory tensor array"),
		Map.entry("TensorArrayWrite", "writes an in-memory tensor array"),
		Map.entry("TensorArrayWriteV2", "writes an in-memory tensor array"),
		Map.entry("TensorArrayWriteV3", "writes an in-memory tensor array"),
		Map.entry("BarrierReadySize", "counts the elements of an in-memory barrier"),
		Map.entry("ShardedFilename", "formats a file name string, opens nothing"),
		Map.entry("ShardedFilespec", "formats a file name pattern string, opens nothing"),
		Map.entry("ScalarSummary", "serialises a Summary proto into a string tensor; only the denied writers write it"),
		Map.entry("HistogramSummary", "serialises a Summary proto into a string tensor"),
		Map.entry("ImageSummary", "serialises a Summary proto into a string tensor"),
		Map.entry("AudioSummary", "serialises a Summary proto into a string tensor"),
		Map.entry("AudioSummaryV2", "serialises a Summary proto into a string tensor"),
		Map.entry("TensorSummary", "serialises a Summary proto into a string tensor"),
		Map.entry("TensorSummaryV2", "serialises a Summary proto into a string tensor"),
		Map.entry("MergeSummary", "merges serialised Summary protos in memory"),
		Map.entry("StatsAggregatorSummary", "serialises an in-memory statistics aggregator"),
		Map.entry("ExperimentalStatsAggregatorSummary", "serialises an in-memory statistics aggregator"),
		Map.entry("BoostedTreesMakeStatsSummary", "arithmetic on gradients and hessians"),
		Map.entry("BoostedTreesExampleDebugOutputs", "computes per-example tree contributions in memory"),
		Map.entry("DebugGradientIdentity", "identity marking a gradient for the debugger; no attribute names a target"),
		Map.entry("DebugGradientRefIdentity", "identity marking a gradient for the debugger; no attribute names a target"),
		Map.entry("Print", "logs to the process's standard error only, no file attribute"),
		Map.entry("CopyHost", "copies a tensor into host memory of the same process"),
		Map.entry("HostConst", "a constant kept in host memory"),
		Map.entry("_HostCast", "a cast computed in host memory"));

	private static List<ModelAudit.Finding> findings(Path model) throws IOException {
		ModelFiles files = ModelFiles.read(model);
		return files.savedModel() ? ModelAudit.of(SavedModel.parseFrom(files.graph())) : ModelAudit.of(GraphDef.parseFrom(
			files.graph()));
	}

	private static NodeDef node(String op) {
		return NodeDef.newBuilder().setName("n").setOp(op).build();
	}

	private static NodeDef node(String op, String attr, AttrValue value) {
		return NodeDef.newBuilder().setName("n").setOp(op).putAttr(attr, value).build();
	}
}

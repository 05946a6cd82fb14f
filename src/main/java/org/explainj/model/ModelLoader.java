package org.explainj.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;

/**
 * Opens a SavedModel folder (TF1 graph style or TF2/Keras) or a frozen GraphDef .pb file as a
 * {@link ClassifierModel}, finding its image input and class output from the serving signature or, for
 * frozen graphs, from the graph's structure.
 */
public final class ModelLoader {

	/** Name scope of the inlined copy of a TF2 model inside the loaded graph. */
	static final String FLAT_PREFIX = "explainj_flat";

	private static final Set<String> NOT_OUTPUTS = Set.of("NoOp", "Const", "Placeholder", "Assert", "SaveV2",
		"RestoreV2", "VarHandleOp", "VariableV2", "Assign", "AssignVariableOp");

	/** Ops that hold variables, whose values a SavedModel keeps in variables/. */
	private static final Set<String> VARIABLES = Set.of("VariableV2", "Variable", "VarHandleOp");

	private ModelLoader() {}

	/** Loads a model that must pass the {@link ModelAudit}. */
	public static ClassifierModel load(Path path) {
		return load(ModelFiles.read(path), false);
	}

	/**
	 * Loads the model whose files were read as {@code files}; it is audited first and refused when it
	 * holds operations ExplainJ does not run, unless {@code trust}.
	 */
	public static ClassifierModel load(ModelFiles files, boolean trust) {
		return files.savedModel() ? loadSavedModel(files, trust) : loadFrozenGraph(files, trust);
	}

	private static ClassifierModel loadSavedModel(ModelFiles files, boolean trust) {
		Path dir = files.path();
		List<ModelAudit.Finding> findings = new ArrayList<>();
		SavedModelBundle bundle = openSavedModel(files, trust, findings);
		try {
			Map<String, SignatureDef> signatures = bundle.metaGraphDef().getSignatureDefMap();
			SignatureDef sig = signatures.get("serving_default");
			if (sig == null && signatures.size() == 1) sig = signatures.values().iterator().next();
			if (sig == null) throw new ExplainException("The SavedModel in " + dir + " has no serving_default signature " +
				"(it has " + signatures.keySet() + ").", "Export it with a serving_default signature.");
			String inputName = only(sig.getInputsMap(), "input", dir);
			String outputName = only(sig.getOutputsMap(), "output", dir);
			GraphDef graphDef = bundle.graph().toGraphDef();
			ModelSidecar sidecar = ModelSidecar.in(dir);
			if (!FunctionInliner.dependsOnCall(graphDef, outputName)) {
				return new ClassifierModel(dir, "TF1 SavedModel", bundle.graph(), bundle.session(), bundle,
					floatOutput(bundle.graph(), inputName), floatOutput(bundle.graph(), outputName), sidecar, Map.of(), findings);
			}
			FunctionInliner.Flat flat = new FunctionInliner(graphDef).inline(graphDef, List.of(inputName, outputName));
			GreyInput.Rewritten grey = GreyInput.withChannelAxis(flat.graph(), flat.tensors().get(inputName));
			bundle.graph().importGraphDef(grey.graph(), FLAT_PREFIX);
			Map<String, String> localNames = new HashMap<>();
			flat.localNames().forEach((k, v) -> localNames.put(FLAT_PREFIX + "/" + k, v));
			return new ClassifierModel(dir, "TF2/Keras SavedModel (functions inlined)", bundle.graph(), bundle.session(),
				bundle, floatOutput(bundle.graph(), FLAT_PREFIX + "/" + grey.input()),
				floatOutput(bundle.graph(), FLAT_PREFIX + "/" + flat.tensors().get(outputName)), sidecar, localNames, findings);
		}
		catch (RuntimeException e) {
			bundle.close();
			throw e;
		}
	}

	/** Test hook: runs between the audit and TensorFlow's load, where a swap of the user's files must not matter. */
	static Runnable afterAudit = () -> {};

	/**
	 * Parses and audits saved_model.pb, then lets TensorFlow load exactly the audited graph (which runs
	 * the restore and the main_op) and restores what that leaves unset ({@link CapturedVariables}): TensorFlow reads it from a private copy (see {@link #auditedCopy}),
	 * never again from the user's folder, whose saved_model.pb may be replaced after the audit. The
	 * findings a trusted model was loaded with are added to {@code trusted}.
	 */
	static SavedModelBundle openSavedModel(ModelFiles files, boolean trust, List<ModelAudit.Finding> trusted) {
		Path dir = files.path();
		SavedModel saved = parseSavedModel(files);
		List<ModelAudit.Finding> findings = ModelAudit.of(saved);
		ModelAudit.check(findings, dir, trust);
		trusted.addAll(findings);
		MetaGraphDef serving = saved.getMetaGraphsList().stream().filter(m -> m.getMetaInfoDef().getTagsList().contains(
			SavedModelBundle.DEFAULT_TAG)).findFirst().orElseThrow(() -> new ExplainException("The SavedModel in " + dir +
				" has no graph tagged 'serve'.", "Export it for serving (the 'serve' tag)."));
		boolean hasVariables = serving.getGraphDef().getNodeList().stream().anyMatch(n -> VARIABLES.contains(n.getOp()));
		if (hasVariables && !files.hasVariablesIndex()) throw new ExplainException("The SavedModel in " + dir +
			" has variables but no variables/ folder (variables/variables.index).",
			"Copy the complete SavedModel folder, variables/ included.");
		// a bad thread setting is the user's own sentence, not a SavedModel that failed to load
		var threads = Threads.config();
		Path copy = auditedCopy(dir, saved);
		try {
			SavedModelBundle bundle;
			try {
				afterAudit.run();
				bundle = SavedModelBundle.loader(copy.toString()).withTags(SavedModelBundle.DEFAULT_TAG).withConfigProto(
					threads).load();
			}
			catch (RuntimeException e) {
				throw new ExplainException("TensorFlow could not load the SavedModel in " + dir + ": " + e.getMessage(),
					"Check that the folder is a complete SavedModel exported with the 'serve' tag.", e);
			}
			try {
				if (hasVariables) CapturedVariables.restore(bundle, serving, copy.resolve("variables").resolve("variables"),
					dir);
				return bundle;
			}
			catch (RuntimeException e) {
				bundle.close();
				throw e;
			}
		}
		finally {
			delete(copy);
		}
	}

	/**
	 * A new folder that only this user may enter, holding the audited SavedModel as saved_model.pb and
	 * links to the model's variables/ and assets/. Those are data; the ops that read them come from the
	 * audited graph. TensorFlow needs the folder only while loading (restore and main_op read it then).
	 * Where the file system refuses symbolic links (Windows without the privilege) the data is copied.
	 */
	private static Path auditedCopy(Path dir, SavedModel saved) {
		try {
			Path copy;
			try {
				copy = Files.createTempDirectory("explainj-model", PosixFilePermissions.asFileAttribute(PosixFilePermissions
					.fromString("rwx------")));
			}
			catch (UnsupportedOperationException e) {
				copy = Files.createTempDirectory("explainj-model");
			}
			Files.write(copy.resolve("saved_model.pb"), saved.toByteArray());
			for (String data : List.of("variables", "assets")) {
				Path original = dir.resolve(data);
				if (Files.isDirectory(original)) linkOrCopy(original, copy.resolve(data));
			}
			return copy;
		}
		catch (IOException e) {
			throw new ExplainException("Cannot prepare the model " + dir + " for loading in the temporary folder: " + e
				.getMessage(), "Check that the temporary folder (" + System.getProperty("java.io.tmpdir") +
					") is writable and has space.", e);
		}
	}

	private static void linkOrCopy(Path original, Path link) throws IOException {
		try {
			Files.createSymbolicLink(link, original);
		}
		catch (UnsupportedOperationException | FileSystemException e) {
			try (Stream<Path> files = Files.walk(original)) {
				for (Path f : files.toList()) Files.copy(f, link.resolve(original.relativize(f).toString()));
			}
		}
	}

	/** Deletes the copy's files and links (never what the links point to). */
	private static void delete(Path copy) {
		try (Stream<Path> files = Files.walk(copy)) {
			for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
		}
		catch (IOException e) {
			copy.toFile().deleteOnExit();
		}
	}

	private static SavedModel parseSavedModel(ModelFiles files) {
		try {
			if (files.graphFile().getFileName().toString().endsWith(".pbtxt")) {
				SavedModel.Builder b = SavedModel.newBuilder();
				TextFormat.merge(new String(files.graph(), StandardCharsets.UTF_8), b);
				return b.build();
			}
			return SavedModel.parseFrom(files.graph());
		}
		catch (InvalidProtocolBufferException | TextFormat.ParseException e) {
			throw new ExplainException("The file " + files.graphFile() + " is not a TensorFlow SavedModel.",
				"Give the folder of a SavedModel exported by TensorFlow or Keras.", e);
		}
	}

	private static String only(Map<String, TensorInfo> tensors, String what, Path dir) {
		if (tensors.size() != 1) throw new ExplainException("The serving signature of " + dir + " has " + tensors.size() +
			" " + what + "s " + tensors.keySet() + "; ExplainJ needs exactly one image input and one class output.",
			"Export a signature with one input and one output.");
		return tensors.values().iterator().next().getName();
	}

	private static ClassifierModel loadFrozenGraph(ModelFiles files, boolean trust) {
		Path file = files.path();
		GraphDef graphDef;
		try {
			graphDef = GraphDef.parseFrom(files.graph());
		}
		catch (InvalidProtocolBufferException e) {
			throw new ExplainException("The file " + file + " is not a TensorFlow graph (.pb).",
				"Give a frozen GraphDef .pb file or a SavedModel folder.", e);
		}
		List<ModelAudit.Finding> findings = ModelAudit.of(graphDef);
		ModelAudit.check(findings, file, trust);
		if (graphDef.getNodeCount() == 0) throw new ExplainException("The file " + file + " holds no graph nodes.",
			"Give a frozen GraphDef .pb file or a SavedModel folder.");
		Graph graph = new Graph();
		Session session = null;
		try {
			String placeholder = findInput(graphDef, file);
			String output = findOutput(graphDef, placeholder, file);
			GreyInput.Rewritten grey = GreyInput.withChannelAxis(graphDef, placeholder);
			graph.importGraphDef(grey.graph());
			String input = grey.input();
			session = Threads.session(graph);
			return new ClassifierModel(file, "frozen GraphDef", graph, session, null, floatOutput(graph, input),
				floatOutput(graph, output), ModelSidecar.in(file.toAbsolutePath().getParent()), Map.of(), findings);
		}
		catch (RuntimeException e) {
			if (session != null) session.close();
			graph.close();
			if (e instanceof ExplainException) throw e;
			throw new ExplainException("TensorFlow could not import the graph in " + file + ": " + e.getMessage(),
				"Check that it is a frozen GraphDef (weights as constants).", e);
		}
	}

	/** The one float Placeholder of rank 4 (or 3: grey without a channel axis); frozen graphs carry no signature. */
	private static String findInput(GraphDef g, Path file) {
		List<String> found = new ArrayList<>();
		for (NodeDef n : g.getNodeList()) {
			if (!n.getOp().equals("Placeholder")) continue;
			var shape = n.getAttrOrDefault("shape", null);
			boolean rank4 = shape == null || shape.getShape().getUnknownRank() || shape.getShape().getDimCount() == 4;
			if (rank4 || GreyInput.isRank3(n)) found.add(n.getName());
		}
		if (found.size() != 1) throw new ExplainException("The graph " + file + " has " + found.size() +
			" image placeholders " + found + "; ExplainJ needs exactly one.", "Freeze the graph with a single image input.");
		return found.get(0) + ":0";
	}

	/** The graph's sink that depends on the input (preferring Softmax/Sigmoid when there are several). */
	private static String findOutput(GraphDef g, String input, Path file) {
		Map<String, NodeDef> nodes = new HashMap<>();
		Set<String> consumed = new HashSet<>();
		for (NodeDef n : g.getNodeList()) {
			nodes.put(n.getName(), n);
			for (String in : n.getInputList()) consumed.add(TensorNames.node(in));
		}
		List<String> sinks = new ArrayList<>();
		for (NodeDef n : g.getNodeList()) {
			if (consumed.contains(n.getName()) || NOT_OUTPUTS.contains(n.getOp())) continue;
			if (dependsOn(n.getName(), TensorNames.node(input), nodes)) sinks.add(n.getName());
		}
		List<String> squashed = sinks.stream().filter(s -> Set.of("Softmax", "Sigmoid").contains(
			nodes.get(s).getOp())).toList();
		if (sinks.size() == 1) return sinks.get(0) + ":0";
		if (squashed.size() == 1) return squashed.get(0) + ":0";
		throw new ExplainException("Cannot tell the class output of " + file + ": it has " + sinks.size() +
			" candidate outputs " + sinks + ".", "Freeze the graph with its classifier output as the only sink.");
	}

	private static boolean dependsOn(String node, String target, Map<String, NodeDef> nodes) {
		Set<String> seen = new HashSet<>();
		ArrayList<String> todo = new ArrayList<>(List.of(node));
		while (!todo.isEmpty()) {
			String n = todo.remove(todo.size() - 1);
			if (n.equals(target)) return true;
			if (!seen.add(n) || !nodes.containsKey(n)) continue;
			for (String in : nodes.get(n).getInputList()) todo.add(TensorNames.node(in));
		}
		return false;
	}

	private static Output<TFloat32> floatOutput(Graph graph, String tensor) {
		Output<?> out = TensorNames.output(graph, tensor);
		if (out.dataType() != org.tensorflow.proto.DataType.DT_FLOAT) throw new ExplainException("Tensor '" + tensor +
			"' is " + out.dataType() + "; ExplainJ needs float32 inputs and outputs.", "Export the model with float32 I/O.");
		return out.expect(TFloat32.class);
	}
}

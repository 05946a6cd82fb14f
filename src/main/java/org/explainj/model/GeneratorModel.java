package org.explainj.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.RawTensor;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

import com.google.protobuf.ByteString;

/**
 * A generator g: z -> x (e.g. the decoder of a VAE or a GAN's generator) as a self-contained, frozen
 * GraphDef: its variables are replaced by constants holding the restored values, so that the graph can be
 * imported into a classifier's graph and chained with it (activation maximisation in code space). The
 * code input is a Placeholder of shape [N, D]; the output an image batch [N, H, W, C]. TF2/Keras
 * SavedModels are flattened with the {@link FunctionInliner} first. Nothing depends on node names: input
 * and output come from the serving signature.
 */
public final class GeneratorModel {

	private static final Set<String> VARIABLE_READS = Set.of("ReadVariableOp", "VariableV2");

	private final Path path;
	private final GraphDef frozen;
	private final String codeNode;
	private final String outputTensor;
	private final Shape codeShape;
	private final Shape outputShape;

	private GeneratorModel(Path path, GraphDef frozen, String codeNode, String outputTensor, Shape codeShape,
		Shape outputShape)
	{
		this.path = path;
		this.frozen = frozen;
		this.codeNode = codeNode;
		this.outputTensor = outputTensor;
		this.codeShape = codeShape;
		this.outputShape = outputShape;
	}

	public Path path() { return path; }

	/** The frozen generator: constants instead of variables, only what the output needs. */
	public GraphDef graphDef() { return frozen; }

	/** Name of the code Placeholder node in {@link #graphDef()}. */
	public String codeNode() { return codeNode; }

	/** "node:k" of the generated image in {@link #graphDef()}. */
	public String outputTensor() { return outputTensor; }

	/** Length D of the code vector. */
	public int codeSize() { return (int) codeShape.size(1); }

	/** [N, H, W, C] as far as known (-1 where not). */
	public Shape outputShape() { return outputShape; }

	/** Loads and freezes the generator; it is audited first and refused unless clean or {@code trust}. */
	public static GeneratorModel load(Path path, boolean trust) {
		Path dir = Files.isRegularFile(path) && path.getFileName().toString().equals("saved_model.pb") ? path.getParent()
			: path;
		if (!Files.isDirectory(dir) || !Files.exists(dir.resolve("saved_model.pb"))) throw new ExplainException(
			"Generator not found: " + path + " is not a SavedModel folder.",
			"Give the folder of a generator SavedModel (z -> image), the one holding saved_model.pb.");
		try (SavedModelBundle bundle = ModelLoader.openSavedModel(ModelFiles.read(dir), trust, new ArrayList<>())) {
			Map<String, SignatureDef> signatures = bundle.metaGraphDef().getSignatureDefMap();
			SignatureDef sig = signatures.get("serving_default");
			if (sig == null && signatures.size() == 1) sig = signatures.values().iterator().next();
			if (sig == null || sig.getInputsCount() != 1 || sig.getOutputsCount() != 1) throw new ExplainException(
				"The generator in " + dir + " needs a serving_default signature with one input (the code z) and one " +
					"output (the image); it has " + signatures.keySet() + ".",
				"Export the generator alone, e.g. Keras decoder.export(path).");
			String input = sig.getInputsMap().values().iterator().next().getName();
			String output = sig.getOutputsMap().values().iterator().next().getName();
			return freeze(dir, bundle.graph(), bundle.session(), input, output);
		}
	}

	private static GeneratorModel freeze(Path dir, Graph graph, Session session, String input, String output) {
		GraphDef def = graph.toGraphDef();
		String prefix = "";
		if (FunctionInliner.dependsOnCall(def, output)) {
			FunctionInliner.Flat flat = new FunctionInliner(def).inline(def, List.of(input, output));
			prefix = ModelLoader.FLAT_PREFIX + "/";
			graph.importGraphDef(flat.graph(), ModelLoader.FLAT_PREFIX);
			input = flat.tensors().get(input);
			output = flat.tensors().get(output);
			def = flat.graph();
		}
		Output<?> in = TensorNames.output(graph, prefix + input);
		Output<?> out = TensorNames.output(graph, prefix + output);
		if (in.dataType() != DataType.DT_FLOAT || in.shape().numDimensions() != 2 || in.shape().size(1) <= 0)
			throw new ExplainException("The generator's input has shape " + in.shape() + " (" + in.dataType() + "); " +
				"ExplainJ needs a float code vector [batch, D].", "Export the generator with a 2-D float input z.");
		if (out.dataType() != DataType.DT_FLOAT || out.shape().numDimensions() != 4) throw new ExplainException(
			"The generator's output has shape " + out.shape() + " (" + out.dataType() + "); ExplainJ needs an image " +
				"batch [batch, height, width, channels] in float.", "Export the generator with an NHWC float output.");
		Map<String, NodeDef> nodes = new HashMap<>();
		for (NodeDef n : def.getNodeList()) nodes.put(n.getName(), n);
		String codeNode = TensorNames.node(input);
		if (!nodes.get(codeNode).getOp().equals("Placeholder")) throw new ExplainException("The generator's input '" +
			input + "' is not a placeholder.", "Export the generator with its code z as the signature input.");
		// what the output needs, stopping at variable reads (they become constants)
		Set<String> needed = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>(List.of(TensorNames.node(output)));
		List<String> reads = new ArrayList<>();
		while (!todo.isEmpty()) {
			String n = todo.pop();
			if (!needed.add(n)) continue;
			NodeDef node = nodes.get(n);
			if (VARIABLE_READS.contains(node.getOp())) {
				reads.add(n);
				continue;
			}
			for (String i : GraphIndex.dataInputs(node)) todo.add(TensorNames.node(i));
		}
		Map<String, NodeDef> constants = new HashMap<>();
		for (String r : reads) {
			try (Result res = session.runner().fetch(prefix + r).run()) {
				constants.put(r, constant(r, res.get(0)));
			}
			catch (RuntimeException e) {
				throw new ExplainException("Cannot read the generator's variable '" + r + "': " + e.getMessage(),
					"Check that the SavedModel's variables/ folder is complete.", e);
			}
		}
		GraphDef.Builder frozen = GraphDef.newBuilder().setVersions(def.getVersions());
		for (NodeDef n : def.getNodeList()) {
			if (!needed.contains(n.getName())) continue;
			if (constants.containsKey(n.getName())) {
				frozen.addNode(constants.get(n.getName()));
				continue;
			}
			NodeDef.Builder b = n.toBuilder().clearInput().clearDevice().removeAttr("_class");
			GraphIndex.dataInputs(n).forEach(b::addInput);
			frozen.addNode(b);
		}
		return new GeneratorModel(dir, frozen.build(), codeNode, output, in.shape(), out.shape());
	}

	private static NodeDef constant(String name, Tensor value) {
		RawTensor raw = value.asRawTensor();
		ByteDataBuffer data = raw.data();
		byte[] bytes = new byte[(int) data.size()];
		data.read(bytes);
		TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
		for (long d : value.shape().asArray()) shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
		TensorProto proto = TensorProto.newBuilder().setDtype(value.dataType()).setTensorShape(shape).setTensorContent(
			ByteString.copyFrom(bytes)).build();
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", AttrValue.newBuilder().setType(value
			.dataType()).build()).putAttr("value", AttrValue.newBuilder().setTensor(proto).build()).build();
	}

}

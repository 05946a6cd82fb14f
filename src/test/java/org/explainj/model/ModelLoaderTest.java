package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {

	@TempDir
	Path tmp;

	@Test
	void frozenMalariaGraphIsFoundByStructure() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			assertEquals("frozen GraphDef", m.format());
			assertEquals("conv2d_1_input", m.input().op().name());
			assertEquals(List.of(44, 44, 3), List.of(m.height(), m.width(), m.channels()));
			assertEquals(OutputActivation.SOFTMAX, m.activation());
			assertEquals("dense_1/BiasAdd", m.logits().op().name());
			assertEquals(List.of("infected", "uninfected"), m.labels());
		}
	}

	@Test
	void kerasSavedModelIsInlinedAndItsLayersKeepTheirKerasNames() {
		try (ClassifierModel m = ModelLoader.load(TestData.MNIST)) {
			assertEquals("TF2/Keras SavedModel (functions inlined)", m.format());
			assertEquals(List.of(28, 28, 1, 10), List.of(m.height(), m.width(), m.channels(), m.numClasses()));
			assertEquals("Placeholder", m.input().op().type());
			assertEquals(OutputActivation.SOFTMAX, m.activation());
			LayerIndex layers = m.layers();
			assertEquals(List.of("conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dropout", "dense"),
				layers.layers().stream().map(LayerIndex.Layer::name).toList());
			LayerIndex.Layer lastConv = layers.layer("conv2d_1");
			assertEquals("Relu", lastConv.output().op().type(), "a conv layer's output is after its activation");
			assertEquals("[-1, 11, 11, 64]", lastConv.output().shape().toString());
			ExplainException e = assertThrows(ExplainException.class, () -> layers.layer("conv9"));
			assertTrue(e.getMessage().contains("conv2d_1"), e.getMessage());
		}
	}

	@Test
	void frozenGraphLayersComeFromTheirScopes() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			LayerIndex layers = m.layers();
			LayerIndex.Layer last = layers.layer("activation_5");
			assertEquals("Relu", last.output().op().type());
			assertEquals(256, last.output().shape().size(3));
			assertEquals("BiasAdd", layers.layer("conv2d_5").output().op().type());
		}
	}

	@Test
	void tf1SavedModelNeedsNoInlining() throws Exception {
		try (ClassifierModel m = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("m"), true))) {
			assertEquals("TF1 SavedModel", m.format());
			assertEquals(3, m.numClasses());
			assertEquals("Add", m.logits().op().type(), "the softmax input (dense + bias)");
		}
	}

	@Test
	void aSavedModelCanBeGivenByItsSavedModelPbFile() {
		try (ClassifierModel m = ModelLoader.load(TestData.MNIST.resolve("saved_model.pb"))) {
			assertEquals(10, m.numClasses());
		}
	}

	@Test
	void missingPathSaysWhatToGive() {
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(tmp.resolve("nowhere")));
		assertTrue(e.getMessage().startsWith("Model not found: "), e.getMessage());
		assertTrue(e.getMessage().contains("saved_model.pb"), e.getMessage());
	}

	@Test
	void aFolderThatIsNoModelIsNamed() throws Exception {
		Files.writeString(tmp.resolve("notes.txt"), "hello");
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(tmp));
		assertTrue(e.getMessage().contains("is not a TensorFlow model: it has no saved_model.pb"), e.getMessage());
	}

	@Test
	void aFileThatIsNoGraphIsNamed() throws Exception {
		Path png = TestData.DIGIT;
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(png));
		assertTrue(e.getMessage().contains("is not a TensorFlow graph"), e.getMessage());
	}

	@Test
	void labelsMustMatchTheClasses() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("m"));
		Files.copy(TestData.MALARIA, dir.resolve("model.pb"));
		Files.writeString(dir.resolve("labels.txt"), "a\nb\nc\n");
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(dir.resolve("model.pb")));
		assertTrue(e.getMessage().contains("are 3 but the model has 2 classes"), e.getMessage());
	}

	@Test
	void cacheReusesALoadedModelUntilItsFilesChange() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("cached"));
		Path pb = Files.copy(TestData.MALARIA, dir.resolve("model.pb"));
		ModelCache cache = new ModelCache(2);
		try (ModelCache.Lease first = cache.acquire(pb, false);
			ModelCache.Lease again = cache.acquire(dir.resolve(".").resolve("model.pb"), false))
		{
			assertSame(first.model(), again.model(), "same file, same model");
			Files.setLastModifiedTime(pb, FileTime.fromMillis(Files.getLastModifiedTime(pb).toMillis() + 5000));
			try (ModelCache.Lease reloaded = cache.acquire(pb, false)) {
				assertNotSame(first.model(), reloaded.model(), "a changed file is loaded again");
				assertEquals(1, cache.size(), "the stale model was dropped");
			}
			try (ModelCache.Lease mnist = cache.acquire(TestData.MNIST, false);
				ModelCache.Lease third = cache.acquire(TestData.tf1SavedModel(tmp.resolve("third"), false), false))
			{
				assertEquals(2, cache.size(), "least recently used model evicted");
			}
		}
		finally {
			cache.clear();
		}
	}

	@Test
	void inlinedGraphHasNoFunctionCallsLeft() {
		try (ClassifierModel m = ModelLoader.load(TestData.MNIST)) {
			String path = m.graphDef().getNodeList().stream().filter(n -> n.getName().startsWith(ModelLoader.FLAT_PREFIX))
				.map(n -> n.getOp()).filter(op -> op.contains("PartitionedCall")).collect(Collectors.joining(","));
			assertEquals("", path);
		}
	}

	/**
	 * A saved_model.pb replaced by a hostile one (whose main_op writes a file) after the audit: TensorFlow
	 * loads the audited graph, the hostile main_op never runs, and the private copy is gone afterwards.
	 */
	@Test
	void aGraphSwappedAfterTheAuditIsNotWhatLoads() throws Exception {
		ModelAuditTest.deleteWritten();
		Path dir = TestData.tf1SavedModel(tmp.resolve("swapped"), true);
		Path hostile = ModelAuditTest.HOSTILE.resolve("tf1-main-op-writes/saved_model.pb");
		List<Path> copiesBefore = temporaryCopies();
		ModelLoader.afterAudit = () -> {
			try {
				Files.copy(hostile, dir.resolve("saved_model.pb"), StandardCopyOption.REPLACE_EXISTING);
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		};
		try (ClassifierModel m = ModelLoader.load(dir)) {
			assertEquals(-1L, Files.mismatch(hostile, dir.resolve("saved_model.pb")), "the swap happened");
			assertFalse(Files.exists(ModelAuditTest.WRITTEN.resolve("tf1-main-op.txt")), "the hostile main_op did not run");
			assertEquals(List.of(12, 12, 3, 3), List.of(m.height(), m.width(), m.channels(), m.numClasses()),
				"the audited model (12x12x3 -> 3), not the hostile one (8x8x1)");
			assertTrue(m.graphDef().getNodeList().stream().noneMatch(n -> n.getOp().equals("WriteFile")));
		}
		finally {
			ModelLoader.afterAudit = () -> {};
			ModelAuditTest.deleteWritten();
		}
		assertEquals(copiesBefore, temporaryCopies(), "the private copy was deleted after loading");
	}

	private static List<Path> temporaryCopies() throws IOException {
		try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
			return files.filter(p -> p.getFileName().toString().startsWith("explainj-model")).sorted().toList();
		}
	}
}

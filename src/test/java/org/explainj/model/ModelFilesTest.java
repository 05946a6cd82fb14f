package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model paths that are not models, or too large, are refused with one sentence before anything is read. */
class ModelFilesTest {

	@TempDir
	Path tmp;

	@Test
	void endlessDevicesAreRefusedUnread() throws Exception {
		assumeTrue(Files.exists(Path.of("/dev/zero")), "a Unix device file");
		for (String device : new String[] { "/dev/zero", "/dev/urandom" }) {
			ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(Path.of(device)));
			assertEquals("The model file " + device + " is not a regular file (it is a folder, device, FIFO or socket). " +
				"Give a SavedModel folder or a frozen .pb file stored on disk.", e.getMessage());
		}
		Path link = Files.createSymbolicLink(tmp.resolve("model.pb"), Path.of("/dev/zero"));
		assertThrows(ExplainException.class, () -> ModelLoader.load(link), "a link to a device is a device");
	}

	@Test
	void fifosAreRefusedWithoutBlocking() throws Exception {
		Path fifo = tmp.resolve("model.pb");
		assumeTrue(mkfifo(fifo), "mkfifo available");
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(fifo));
		assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
		// a SavedModel whose variables file is a FIFO: TensorFlow would block reading it
		Path dir = Files.createDirectories(tmp.resolve("saved"));
		Files.copy(TestData.MNIST.resolve("saved_model.pb"), dir.resolve("saved_model.pb"));
		Files.createDirectories(dir.resolve("variables"));
		Files.copy(TestData.MNIST.resolve("variables/variables.index"), dir.resolve("variables/variables.index"));
		assumeTrue(mkfifo(dir.resolve("variables/variables.data-00000-of-00001")));
		e = assertThrows(ExplainException.class, () -> ModelLoader.load(dir));
		assertTrue(e.getMessage().contains("variables.data-00000-of-00001 is not a regular file"), e.getMessage());
	}

	/** Between the checks and the read the path is re-linked to /dev/zero: the read stops past the checked size. */
	@Test
	void aPathSwappedToAnEndlessDeviceAfterTheChecksIsNotReadWithoutEnd() throws Exception {
		assumeTrue(Files.exists(Path.of("/dev/zero")), "a Unix device file");
		Path pb = Files.copy(TestData.MALARIA, tmp.resolve("model.pb"));
		ExplainException e = assertThrows(ExplainException.class, () -> readWithSwap(pb, () -> {
			Files.delete(pb);
			Files.createSymbolicLink(pb, Path.of("/dev/zero"));
		}));
		assertEquals("The model file " + pb + " changed while it was being read (it grew, or its path now leads to a " +
			"device). Load it again once it is completely written.", e.getMessage());
	}

	/** A file that grows after the checks (a copy still being written) is refused, not read past its checked size. */
	@Test
	void aFileThatGrowsAfterTheChecksIsRefused() throws Exception {
		Path pb = Files.copy(TestData.MALARIA, tmp.resolve("model.pb"));
		ExplainException e = assertThrows(ExplainException.class, () -> readWithSwap(pb, () -> Files.write(pb, new byte[] {
			0 }, StandardOpenOption.APPEND)));
		assertTrue(e.getMessage().endsWith("changed while it was being read (it grew, or its path now leads to a device). " +
			"Load it again once it is completely written."), e.getMessage());
		assertEquals(Files.size(TestData.MALARIA), ModelFiles.read(pb).graph().length - 1L, "read again, it is whole");
		assertEquals(-1L, Arrays.mismatch(Files.readAllBytes(pb), ModelFiles.read(pb).graph()));
	}

	private interface Swap {
		void run() throws Exception;
	}

	private static ModelFiles readWithSwap(Path model, Swap swap) {
		ModelFiles.afterChecks = () -> {
			try {
				swap.run();
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		};
		try {
			return ModelFiles.read(model);
		}
		finally {
			ModelFiles.afterChecks = () -> {};
		}
	}

	@Test
	void modelsOverTheLimitAreRefusedAndTheLimitIsASystemProperty() {
		long size = TestData.MALARIA.toFile().length();
		String old = System.getProperty(ModelFiles.MAX_BYTES_PROPERTY);
		try {
			System.setProperty(ModelFiles.MAX_BYTES_PROPERTY, Long.toString(size - 1));
			ExplainException e = assertThrows(ExplainException.class, () -> ModelFiles.read(TestData.MALARIA));
			assertTrue(e.getMessage().matches("The model .*malaria_thinsmear_44.pb is [0-9.]+ MB, more than ExplainJ's " +
				"limit of [0-9.]+ MB\\. If it is a genuine model, raise the limit with -Dexplainj.maxModelBytes=BYTES\\."), e
				.getMessage());
			System.setProperty(ModelFiles.MAX_BYTES_PROPERTY, Long.toString(size));
			assertEquals(size, ModelFiles.read(TestData.MALARIA).identity().size(), "a model at the limit is read");
			System.setProperty(ModelFiles.MAX_BYTES_PROPERTY, "lots");
			e = assertThrows(ExplainException.class, () -> ModelFiles.read(TestData.MALARIA));
			assertTrue(e.getMessage().startsWith("The system property explainj.maxModelBytes=lots is not a number"), e
				.getMessage());
			System.setProperty(ModelFiles.MAX_BYTES_PROPERTY, "-5");
			e = assertThrows(ExplainException.class, () -> ModelFiles.read(TestData.MALARIA));
			assertEquals("The system property explainj.maxModelBytes=-5 is not a number of bytes. Give a positive whole " +
				"number, e.g. -Dexplainj.maxModelBytes=4000000000.", e.getMessage());
		}
		finally {
			if (old == null) System.clearProperty(ModelFiles.MAX_BYTES_PROPERTY);
			else System.setProperty(ModelFiles.MAX_BYTES_PROPERTY, old);
		}
	}

	@Test
	void savedModelWithoutItsVariablesSaysSo() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("no-variables"));
		Files.copy(TestData.MNIST.resolve("saved_model.pb"), dir.resolve("saved_model.pb"));
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(dir));
		assertEquals("The SavedModel in " + dir.toAbsolutePath() + " has variables but no variables/ folder " +
			"(variables/variables.index). Copy the complete SavedModel folder, variables/ included.", e.getMessage());
	}

	@Test
	void brokenOrEmptySavedModelGraphsAreNamed() throws Exception {
		Path broken = Files.createDirectories(tmp.resolve("broken"));
		Files.write(broken.resolve("saved_model.pb"), new byte[] { (byte) 0xff });
		ExplainException e = assertThrows(ExplainException.class, () -> ModelLoader.load(broken));
		assertEquals("The file " + broken.toAbsolutePath().resolve("saved_model.pb") + " is not a TensorFlow SavedModel. " +
			"Give the folder of a SavedModel exported by TensorFlow or Keras.", e.getMessage());
		Path empty = Files.createDirectories(tmp.resolve("empty"));
		Files.write(empty.resolve("saved_model.pb"), new byte[0]);
		e = assertThrows(ExplainException.class, () -> ModelLoader.load(empty));
		assertEquals("The SavedModel in " + empty.toAbsolutePath() + " has no graph tagged 'serve'. Export it for " +
			"serving (the 'serve' tag).", e.getMessage());
	}

	/** The TF2 fixture computes with constants only: without variables/ it is still complete. */
	@Test
	void savedModelWithoutVariablesLoadsWhenItHasNone() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("constants-only"));
		Files.copy(ModelAuditTest.HOSTILE.resolve("tf2-writes-output/saved_model.pb"), dir.resolve("saved_model.pb"));
		try (ClassifierModel m = ModelLoader.load(ModelFiles.read(dir), true)) {
			assertEquals(3, m.numClasses());
		}
	}

	/** cp -p keeps size and time: only the content hash tells the copies apart. */
	@Test
	void sameSizeAndTimeButOtherContentIsAnotherIdentity() throws Exception {
		Path a = tmp.resolve("a.pb"), b = tmp.resolve("b.pb");
		Files.copy(TestData.MALARIA, a);
		Files.write(b, ModelCacheTest.perturbedWeights(Files.readAllBytes(TestData.MALARIA)));
		FileTime time = Files.getLastModifiedTime(a);
		Files.setLastModifiedTime(b, time);
		ModelFiles.Identity ia = ModelFiles.read(a).identity(), ib = ModelFiles.read(b).identity();
		assertEquals(ia.size(), ib.size());
		assertEquals(ia.modified(), ib.modified());
		assertNotEquals(ia.sha256(), ib.sha256());
	}

	private static boolean mkfifo(Path p) throws Exception {
		try {
			return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0;
		}
		catch (java.io.IOException e) {
			return false;
		}
	}
}

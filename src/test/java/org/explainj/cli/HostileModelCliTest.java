package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.explainj.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/explainj refuses models that touch files (one line, exit 1, nothing written) unless --trust-model. */
class HostileModelCliTest {

	static final Path HOSTILE = TestData.HOSTILE;
	static final Path WRITTEN = TestData.HOSTILE_WRITES;

	@TempDir
	Path tmp;

	@BeforeEach
	void nothingWrittenYet() throws IOException {
		clean();
	}

	private static void clean() throws IOException {
		TestData.deleteWhatHostileModelsWrote();
	}

	private CliTest.Run explain(String model, String... more) {
		String[] args = { "explain", "--model", HOSTILE.resolve(model).toString(), "--image", TestData.DIGIT.toString(),
			"--method", "saliency", "--out", tmp.resolve("map.tif").toString() };
		String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
		System.arraycopy(more, 0, all, args.length, more.length);
		return CliTest.run(all);
	}

	@Test
	void everyHostileFixtureIsRefusedInOneLineAndWritesNothing() {
		for (String model : new String[] { "tf1-main-op-writes", "tf2-writes-output", "frozen-writes-output.pb" }) {
			CliTest.Run r = explain(model);
			assertEquals(1, r.code(), model);
			assertEquals("", r.out(), model);
			assertEquals(1, r.err().lines().count(), r.err());
			assertTrue(r.err().startsWith("explainj: The model " + HOSTILE.resolve(model).toAbsolutePath() +
				" holds operations that "), r.err());
			assertTrue(r.err().contains("WriteFile (node '"), r.err());
			assertTrue(r.err().strip().endsWith("pass --trust-model (command line), tick 'Trust model' (dialog) or add " +
				"'trust' (macro)."), r.err());
			assertFalse(Files.exists(WRITTEN), model + " wrote into " + WRITTEN);
			assertFalse(Files.exists(tmp.resolve("map.tif")));
		}
	}

	@Test
	void inspectAuditsTooBecauseLoadingRunsTheMainOp() {
		CliTest.Run r = CliTest.run("inspect", "--model", HOSTILE.resolve("tf1-main-op-writes").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("WriteFile (node 'main_op_write')"), r.err());
		assertFalse(Files.exists(WRITTEN));
	}

	@Test
	void maximizeAndEvaluateAuditToo() {
		String model = HOSTILE.resolve("tf2-writes-output").toString();
		CliTest.Run maximize = CliTest.run("maximize", "--model", model, "--target", "0", "--steps", "2", "--out", tmp
			.resolve("p.tif").toString());
		CliTest.Run evaluate = CliTest.run("evaluate", "--model", model, "--images", TestData.DIGIT.toString(), "--out",
			tmp.resolve("eval").toString(), "--methods", "gradient", "--metric", "selectivity");
		for (CliTest.Run r : new CliTest.Run[] { maximize, evaluate }) {
			assertEquals(1, r.code(), r.out());
			assertTrue(r.err().startsWith("explainj: The model ") && r.err().contains("WriteFile (node '"), r.err());
		}
		assertFalse(Files.exists(WRITTEN));
		assertFalse(Files.exists(tmp.resolve("p.tif")));
	}

	@Test
	void aGeneratorIsAuditedAndTrustedWithTheClassifier() {
		String[] args = { "maximize", "--model", "test-images/models/digits-classifier", "--target", "3", "--steps", "2",
			"--generator", HOSTILE.resolve("tf2-writes-output").toString(), "--out", tmp.resolve("p.tif").toString() };
		CliTest.Run refused = CliTest.run(args);
		assertEquals(1, refused.code());
		assertTrue(refused.err().startsWith("explainj: The model ") && refused.err().contains(
			"WriteFile (node 'WriteFile' in function '__inference_serve_"), refused.err());
		String[] trusted = java.util.Arrays.copyOf(args, args.length + 1);
		trusted[args.length] = "--trust-model";
		CliTest.Run past = CliTest.run(trusted);
		assertEquals(1, past.code(), "the fixture is a classifier, not a generator");
		assertFalse(past.err().contains("WriteFile"), "trusted, the audit let it through: " + past.err());
		assertEquals(1, past.err().lines().count(), past.err());
	}

	@Test
	void trustedModelRunsAndTheOutputSaysSo() throws IOException {
		try {
			CliTest.Run r = explain("frozen-writes-output.pb", "--trust-model");
			assertEquals(0, r.code(), r.err());
			assertTrue(r.out().startsWith("Trusted model frozen-writes-output.pb: ran although it holds operations that " +
				"read, list or write files: "), r.out());
			assertTrue(Files.exists(tmp.resolve("map.tif")));
			assertTrue(Files.readString(WRITTEN.resolve("frozen.txt")).contains("<artifactId>"),
				"trusted, the model really ran its ReadFile and WriteFile");
		}
		finally {
			clean();
		}
	}

	@Test
	void deviceFileIsOneLine() {
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")));
		CliTest.Run r = CliTest.run("inspect", "--model", "/dev/zero");
		assertEquals(1, r.code());
		assertEquals("explainj: The model file /dev/zero is not a regular file (it is a folder, device, FIFO or socket). " +
			"Give a SavedModel folder or a frozen .pb file stored on disk.", r.err().strip());
	}
}

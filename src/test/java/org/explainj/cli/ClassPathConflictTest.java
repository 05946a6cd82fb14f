package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line with libtensorflow 1.15 and protobuf-java 3.5.1 ahead of ExplainJ's jars (no class
 * loader of its own there, unlike the ImageJ commands): the command fails with one sentence that names
 * the conflicting jar and the fix, not a NoSuchMethodError.
 */
class ClassPathConflictTest {

	@Test
	void anOldProtobufAheadOfExplainJIsNamedWithTheFix(@TempDir Path dir) throws Exception {
		// copied by the build (pom: old-fiji-jars), never on the test class path itself
		Path tf = Path.of("target/old-fiji-jars/libtensorflow-1.15.0.jar");
		Path protobuf = Path.of("target/old-fiji-jars/protobuf-java-3.5.1.jar");
		assertTrue(Files.exists(tf) && Files.exists(protobuf), "the build copies the old jars to target/old-fiji-jars");
		String classPath = tf + java.io.File.pathSeparator + protobuf + java.io.File.pathSeparator + System.getProperty(
			"java.class.path");
		ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.awt.headless=true", "-cp", classPath, RssProbe.class.getName(), "explain", "--model", TestData.MALARIA
				.toString(), "--image", TestData.PARASITIZED.toString(), "--method", "gradient", "--out", dir.resolve(
					"map.tif").toString())).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(0, p.waitFor(), out);
		assertTrue(out.contains("exit 1"), out);
		assertTrue(out.contains("protobuf-java-3.5.1.jar holds another version"), out);
		assertTrue(out.contains("Remove that jar"), out);
	}
}

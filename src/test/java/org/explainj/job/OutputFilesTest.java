package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs never replace inputs; they are replaced atomically and get the umask's mode. */
class OutputFilesTest {

	@TempDir
	Path tmp;

	private static String mode(Path p) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
	}

	/** bin/explainj in a child JVM under a given umask: the map and the overlay get 0666 minus the umask. */
	@Test
	void outputsGetTheUmasksMode() throws Exception {
		for (String[] umask : new String[][] { { "022", "rw-r--r--" }, { "027", "rw-r-----" } }) {
			Path dir = Files.createDirectories(tmp.resolve("umask" + umask[0]));
			Path map = dir.resolve("map.tif"), overlay = dir.resolve("overlay.png"), console = dir.resolve("console.txt");
			String command = "umask " + umask[0] + " && exec '" + Path.of(System.getProperty("java.home"), "bin", "java") +
				"' -Djava.awt.headless=true -cp '" + System.getProperty("java.class.path") + "' org.explainj.cli.Main explain " +
				"--model '" + TestData.MALARIA.toAbsolutePath() + "' --image '" + TestData.PARASITIZED.toAbsolutePath() +
				"' --method gradient --out '" + map + "' --overlay '" + overlay + "'";
			ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).redirectOutput(console
				.toFile());
			pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
			Process p = pb.start();
			assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/explainj did not finish");
			assertEquals(0, p.exitValue(), Files.readString(console));
			assertEquals(umask[1], mode(map), "umask " + umask[0]);
			assertEquals(umask[1], mode(overlay), "umask " + umask[0]);
		}
	}

	@Test
	void anExistingOutputIsReplacedByAMoveAndKeepsItsMode() throws Exception {
		Path file = Files.writeString(tmp.resolve("table.csv"), "old contents\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
		Object inode = Files.getAttribute(file, "unix:ino");
		ResultFiles.saveText("new contents\n", file);
		assertEquals("new contents\n", Files.readString(file));
		assertNotEquals(inode, Files.getAttribute(file, "unix:ino"), "a new file moved into place, not rewritten in place");
		assertEquals("rw----r--", mode(file));
		assertEquals(List.of("table.csv"), names());
	}

	@Test
	void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
		Path file = Files.writeString(tmp.resolve("map.tif"), "the previous map");
		ExplainException e = assertThrows(ExplainException.class, () -> ResultFiles.write(file, partial -> {
			try {
				Files.writeString(partial, "half a ma");
			}
			catch (IOException io) {
				throw new UncheckedIOException(io);
			}
			return false;
		}));
		assertTrue(e.getMessage().startsWith("Cannot write " + file), e.getMessage());
		assertEquals("the previous map", Files.readString(file));
		assertEquals(List.of("map.tif"), names());
	}

	private List<String> names() throws IOException {
		try (Stream<Path> files = Files.list(tmp)) {
			return files.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}

	@Test
	void outputsThatAreInputsAreRefused() throws Exception {
		Path image = Files.writeString(tmp.resolve("cell.tif"), "pixels");
		Path hardLink = Files.createLink(tmp.resolve("same-cell.tif"), image);
		Path frozen = Files.writeString(tmp.resolve("model.pb"), "graph");
		Path labels = Files.writeString(tmp.resolve("labels.txt"), "a\nb\n");
		Path savedModel = Files.createDirectories(tmp.resolve("saved"));
		Files.writeString(savedModel.resolve("saved_model.pb"), "graph");
		InputFiles inputs = new InputFiles().file("input image", image).model(frozen).model(savedModel.resolve(
			"saved_model.pb"));
		String[][] refused = { { hardLink.toString(), "is the input image" },
			{ tmp.resolve("sub/../cell.tif").toString(), "is the input image" },
			{ frozen.toString(), "is the model file" }, { labels.toString(), "is the model's labels.txt" },
			{ savedModel.toString(), "is the model folder" },
			{ savedModel.resolve("new/deeper/map.tif").toString(), "lies inside the model folder" } };
		for (String[] r : refused) {
			ExplainException e = assertThrows(ExplainException.class, () -> inputs.refuse("--out", Path.of(r[0])), r[0]);
			assertTrue(e.getMessage().startsWith("--out " + r[0] + " ") && e.getMessage().contains(r[1]), e.getMessage());
		}
		// beside the inputs is fine
		inputs.refuse("--out", tmp.resolve("cell_map.tif"));
		inputs.refuse("--out", tmp.resolve("saved-maps/map.tif"));
	}
}

package org.explainj.job;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

import org.explainj.ExplainException;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ImageProcessor;

/**
 * Writes results to new files, through a temporary file in the same folder that is moved into place
 * (atomically), so that a failed or cancelled run never leaves a half-written file and a replaced output
 * is either the old or the new one. The file gets the mode any new file gets (the umask's), or keeps the
 * mode of the file it replaces. Front ends check outputs against the inputs first ({@link InputFiles}).
 */
public final class ResultFiles {

	private ResultFiles() {}

	/** 32-bit TIFF, one plane per channel/slice/frame (an ImageJ hyperstack). */
	public static void saveTiff(ImagePlus imp, Path file) {
		write(file, tmp -> imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(tmp.toString())
			: new FileSaver(imp).saveAsTiff(tmp.toString()));
	}

	public static void savePng(ImageProcessor picture, Path file) {
		write(file, tmp -> new FileSaver(new ImagePlus(file.getFileName().toString(), picture)).saveAsPng(tmp
			.toString()));
	}

	/** A text file (CSV), UTF-8. */
	public static void saveText(String text, Path file) {
		write(file, tmp -> {
			try {
				Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
				return true;
			}
			catch (IOException e) {
				return false;
			}
		});
	}

	interface Writer {
		boolean write(Path tmp);
	}

	static void write(Path file, Writer writer) {
		Path dir = file.toAbsolutePath().getParent();
		Path tmp = null;
		try {
			Files.createDirectories(dir);
			tmp = newFile(dir, file.getFileName().toString());
			if (!writer.write(tmp)) throw new IOException("ImageJ could not write " + tmp);
			if (Files.exists(file) && Files.getFileStore(dir).supportsFileAttributeView("posix")) {
				Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
			}
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException e) {
			throw new ExplainException("Cannot write " + file + ": " + e.getMessage(),
				"Check that the folder exists and is writable.", e);
		}
		finally {
			if (tmp != null) {
				try {
					Files.deleteIfExists(tmp);
				}
				catch (IOException ignored) {
					// the move already consumed it, or the folder vanished: nothing left to clean
				}
			}
		}
	}

	/**
	 * An empty hidden file beside the output with the output's extension (ImageJ's writers look at it).
	 * Files.createFile, unlike createTempFile (always 0600), leaves the mode to the umask.
	 */
	private static Path newFile(Path dir, String name) throws IOException {
		String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
		while (true) {
			Path candidate = dir.resolve(".explainj-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) +
				ext);
			try {
				return Files.createFile(candidate);
			}
			catch (FileAlreadyExistsException taken) {
				// another run picked the same name: draw again
			}
		}
	}
}

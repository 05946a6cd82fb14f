package org.explainj.ij;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Methods;

/**
 * The Plugins > ExplainJ menu (plugins.config, which ImageJ reads from the jar before any ExplainJ code
 * runs, so it is a file): one entry per method of {@link Methods}, titled with the method's title, then
 * the commands that are not one method. The build runs {@code main} after compiling (pom.xml), so the
 * jar's menu always lists the methods of its classes.
 */
public final class MenuEntries {

	/** The commands besides the methods, with their menu titles. */
	static final List<String[]> OTHER = List.of(new String[] { "Prototypes", MaximizeCommand.class.getName() },
		new String[] { "Evaluate", EvaluateCommand.class.getName() }, new String[] { "Sanity Check",
			SanityCheckCommand.class.getName() });

	/** The bridge's argument that runs {@link ExplainCommand} with this method. */
	static final String METHOD = "method=";

	private MenuEntries() {}

	public static String pluginsConfig() {
		StringBuilder s = new StringBuilder("""
			# ExplainJ menu entries for ImageJ 1.x and Fiji, written at build time by org.explainj.ij.MenuEntries
			# from the methods. Each runs one SciJava command through the bridge, which shows its parameters as
			# a dialog (recordable by the macro recorder).
			""");
		for (AttributionMethod m : Methods.all()) s.append(entry(m.title(), METHOD + m.name()));
		for (String[] other : OTHER) s.append(entry(other[0], other[1]));
		return s.toString();
	}

	private static String entry(String title, String argument) {
		return "Plugins>ExplainJ, \"" + title + "...\", " + CommandBridge.class.getName() + "(\"" + argument + "\")\n";
	}

	/** Writes plugins.config to the given path. */
	public static void main(String[] args) throws IOException {
		Files.writeString(Path.of(args[0]), pluginsConfig(), StandardCharsets.UTF_8);
	}
}

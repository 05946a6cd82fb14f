package org.explainj.ij;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * ExplainJ's TensorFlow Java, protobuf and JavaCPP in a class loader of their own, so that other versions
 * on Fiji's class path (libtensorflow 1.15 in jars/, an old protobuf-java) cannot shadow them. The
 * loader is child-first for ExplainJ, TensorFlow, protobuf and JavaCPP, over the plugin jar and the jars
 * the build named (own-jars.txt, found beside the plugin jar, in jars/ or plugins/jars/); ImageJ,
 * SciJava, ImgLib2 and Java come from the parent, as do the classes that cross the boundary (this class
 * and the exceptions a command throws). A command object made by ImageJ's or SciJava's loader runs as its
 * twin from this loader, with its fields copied there and back: the menu bridge and scripts calling
 * the CommandService both pass through here. Where the jars are not found (an IDE, the tests' class
 * path) commands run where they are.
 */
public final class Isolation {

	private static final List<String> OWN_PACKAGES = List.of("org.explainj.", "org.tensorflow.", "com.google.protobuf.",
		"org.bytedeco.");
	private static final Set<String> SHARED = Set.of(Isolation.class.getName(), "org.explainj.ExplainException",
		"org.explainj.methods.Explainer$CancellationException");
	private static ClassLoader loader;
	private static boolean searched;

	private Isolation() {}

	/**
	 * Runs {@code command} as its twin in ExplainJ's own class loader, copying its fields there and back;
	 * false when it already runs there or there is no such loader (then the caller runs it itself).
	 */
	public static boolean runApart(Runnable command) {
		ClassLoader own = loader();
		if (own == null || command.getClass().getClassLoader() == own) return false;
		try {
			Runnable twin = (Runnable) own.loadClass(command.getClass().getName()).getDeclaredConstructor().newInstance();
			copy(command, twin);
			twin.run();
			copy(twin, command);
			return true;
		}
		catch (ReflectiveOperationException e) {
			throw new IllegalStateException("ExplainJ cannot start " + command.getClass().getName() + " in its own class " +
				"loader", e);
		}
	}

	private static void copy(Object from, Object to) throws ReflectiveOperationException {
		for (Class<?> c = from.getClass(), d = to.getClass(); c != Object.class; c = c.getSuperclass(), d = d
			.getSuperclass())
		{
			for (Field f : c.getDeclaredFields()) {
				if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) continue;
				Field g = d.getDeclaredField(f.getName());
				f.setAccessible(true);
				g.setAccessible(true);
				Object value = f.get(from);
				// ExplainJ's own result objects (a sanity report, a list of scores' records) are classes of the
				// other loader: they cannot cross, the ImageJ images and tables beside them can
				if (value == null ? !g.getType().isPrimitive() : g.getType().isInstance(value) || g.getType().isPrimitive())
					g.set(to, value);
			}
		}
	}

	/** ExplainJ's own loader, or null where its jars are not beside the plugin jar. */
	public static synchronized ClassLoader loader() {
		if (!searched) {
			searched = true;
			List<URL> urls = jars();
			if (urls != null) loader = new ChildFirst(urls.toArray(URL[]::new), Isolation.class.getClassLoader());
		}
		return loader;
	}

	/** The plugin jar and the jars of own-jars.txt, or null when the plugin is no jar or one is missing. */
	private static List<URL> jars() {
		try (InputStream in = Isolation.class.getResourceAsStream("own-jars.txt")) {
			var source = Isolation.class.getProtectionDomain().getCodeSource();
			if (in == null || source == null) return null;
			Path plugin = Path.of(source.getLocation().toURI());
			if (!Files.isRegularFile(plugin)) return null;
			Path dir = plugin.getParent();
			List<Path> places = List.of(dir, dir.resolve("jars"), dir.resolveSibling("jars"));
			List<URL> urls = new ArrayList<>(List.of(plugin.toUri().toURL()));
			for (String name : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[:;\\s]+")) {
				String file = Path.of(name.isBlank() ? "." : name).getFileName().toString();
				if (!file.endsWith(".jar")) continue;
				Path found = places.stream().map(p -> p.resolve(file)).filter(Files::isRegularFile).findFirst().orElse(null);
				if (found == null) return null;
				urls.add(found.toUri().toURL());
			}
			return urls;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (java.net.URISyntaxException e) {
			return null;
		}
	}

	/** Child-first for ExplainJ's own packages, parent-first for everything else and the shared classes. */
	private static final class ChildFirst extends URLClassLoader {

		static {
			registerAsParallelCapable();
		}

		ChildFirst(URL[] urls, ClassLoader parent) {
			super("ExplainJ", urls, parent);
		}

		private static boolean own(String name) {
			return !SHARED.contains(name) && OWN_PACKAGES.stream().anyMatch(name::startsWith);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (!own(name)) return super.loadClass(name, resolve);
			synchronized (getClassLoadingLock(name)) {
				Class<?> c = findLoadedClass(name);
				if (c == null) {
					try {
						c = findClass(name);
					}
					catch (ClassNotFoundException e) {
						c = super.loadClass(name, false);
					}
				}
				if (resolve) resolveClass(c);
				return c;
			}
		}

		@Override
		public URL getResource(String name) {
			URL own = findResource(name);
			return own != null ? own : super.getResource(name);
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			Enumeration<URL> own = findResources(name);
			return own.hasMoreElements() ? own : super.getResources(name);
		}
	}
}

/** The `runtime` props of the Java family. */

/** A Maven (or Gradle) project built inside the image build into a jar run by distroless java. */
export interface JavaRuntimeOptions {
  /** Selects the Java family. */
  readonly family: 'java';
  /**
   * JDK line of the builder and of the distroless `java<version>-debian13` runtime.
   * @default "21" (or maven.compiler.release / java.version of pom.xml, when `create-msb-app .` adopts the project)
   */
  readonly version?: string;
  /**
   * The build tool. Maven is built and tested; Gradle is inferred and rendered (its wrapper and
   * plugin portal were not reachable where the image tests run).
   * @default "maven" ("gradle" when the project has build.gradle(.kts) and no pom.xml)
   */
  readonly buildTool?: 'maven' | 'gradle';
  /**
   * Share of the container's memory limit the JVM may use for its heap: the image and the
   * Deployment set `JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=<share>` (merged with a
   * `JAVA_TOOL_OPTIONS` of `kubernetes.env`; an `-Xmx` set there is kept and must be at most 90%
   * of `kubernetes.resources.memoryLimit`).
   * @default 75
   */
  readonly heapPercent?: number;
}

/**
 * The helper types a generated module ends with, by the names Supabase's
 * generator gives them, so code written against `supabase gen types` keeps
 * compiling: `Tables<"t">` (a row), `TablesInsert<"t">`, `TablesUpdate<"t">`,
 * `Enums<"e">` and `CompositeTypes<"c">`, each also taking
 * `{ schema: "..." }` and a name. They depend only on `Database`.
 *
 * Input: none. Output: the text, in the generated module's style (two
 * spaces, no semicolons, double quotes).
 */

/** The helper types' text, placed after `Database`. */
export const HELPER_TYPES = `type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type SchemaName = keyof DatabaseWithoutInternals

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

type SchemaOf<Options> = Options extends { schema: infer S extends SchemaName }
  ? DatabaseWithoutInternals[S]
  : never

type TablesAndViews<Schema> = Schema extends { Tables: infer T; Views: infer V }
  ? T & V
  : never

export type Tables<
  NameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: SchemaName },
  TableName extends NameOrOptions extends { schema: SchemaName }
    ? keyof TablesAndViews<SchemaOf<NameOrOptions>>
    : never = never,
> = NameOrOptions extends { schema: SchemaName }
  ? TablesAndViews<SchemaOf<NameOrOptions>>[TableName] extends { Row: infer R }
    ? R
    : never
  : NameOrOptions extends keyof TablesAndViews<DefaultSchema>
    ? TablesAndViews<DefaultSchema>[NameOrOptions] extends { Row: infer R }
      ? R
      : never
    : never

export type TablesInsert<
  NameOrOptions extends keyof DefaultSchema["Tables"] | { schema: SchemaName },
  TableName extends NameOrOptions extends { schema: SchemaName }
    ? keyof SchemaOf<NameOrOptions>["Tables"]
    : never = never,
> = NameOrOptions extends { schema: SchemaName }
  ? SchemaOf<NameOrOptions>["Tables"][TableName] extends { Insert: infer I }
    ? I
    : never
  : NameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][NameOrOptions] extends { Insert: infer I }
      ? I
      : never
    : never

export type TablesUpdate<
  NameOrOptions extends keyof DefaultSchema["Tables"] | { schema: SchemaName },
  TableName extends NameOrOptions extends { schema: SchemaName }
    ? keyof SchemaOf<NameOrOptions>["Tables"]
    : never = never,
> = NameOrOptions extends { schema: SchemaName }
  ? SchemaOf<NameOrOptions>["Tables"][TableName] extends { Update: infer U }
    ? U
    : never
  : NameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][NameOrOptions] extends { Update: infer U }
      ? U
      : never
    : never

export type Enums<
  NameOrOptions extends keyof DefaultSchema["Enums"] | { schema: SchemaName },
  EnumName extends NameOrOptions extends { schema: SchemaName }
    ? keyof SchemaOf<NameOrOptions>["Enums"]
    : never = never,
> = NameOrOptions extends { schema: SchemaName }
  ? SchemaOf<NameOrOptions>["Enums"][EnumName]
  : NameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][NameOrOptions]
    : never

export type CompositeTypes<
  NameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: SchemaName },
  TypeName extends NameOrOptions extends { schema: SchemaName }
    ? keyof SchemaOf<NameOrOptions>["CompositeTypes"]
    : never = never,
> = NameOrOptions extends { schema: SchemaName }
  ? SchemaOf<NameOrOptions>["CompositeTypes"][TypeName]
  : NameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][NameOrOptions]
    : never`;

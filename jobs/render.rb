#!/usr/bin/env ruby
# frozen_string_literal: true

# render.rb renders one BOSH job from this directory the way the BOSH director
# would, so the templates can be checked without a director:
#
#   ruby jobs/render.rb JOB_DIR MANIFEST OUT_DIR [--root DIR] [--only TEMPLATE]
#
# MANIFEST is a YAML (or JSON) file with up to three sections:
#
#   properties: { diego: { bbs: { ... } } }     # as in a deployment manifest
#   spec: { id: ..., index: 0, address: ..., deployment: ..., name: ..., az: ... }
#   links: { nats: { properties: { nats: { port: 4222 } }, instances: [ { address: 10.0.0.5 } ] } }
#
# Every template named in JOB_DIR/spec is rendered to OUT_DIR/<destination>
# (bin/* files are made executable). With --root DIR, every "/var/vcap/" in
# the output becomes "DIR/", so a rendered job points at files a test can
# create. With --only, just that template (by source name) is rendered, to
# stdout when OUT_DIR is "-".
#
# Like the director, templates see only the properties their spec declares,
# with the spec's defaults beneath the manifest's values. Only the Ruby
# standard library is used (erb, json, yaml).

require 'erb'
require 'fileutils'
require 'json'
require 'yaml'

# Raised for anything a BOSH director would refuse to render.
class RenderError < StandardError; end

# Read-only attribute access to a hash (spec.id, instance.address), without
# ostruct, which is leaving Ruby's default gems.
class Record
  def initialize(hash)
    @hash = hash.transform_keys(&:to_s)
  end

  def method_missing(name, *args)
    key = name.to_s
    return super unless args.empty? && @hash.key?(key)

    @hash[key]
  end

  def respond_to_missing?(name, include_private = false)
    @hash.key?(name.to_s) || super
  end
end

# Sentinel for "no default given" in p().
NO_DEFAULT = Object.new.freeze

# Looks a dotted name up in nested hashes; returns [found, value].
def dig_dotted(hash, name)
  name.split('.').reduce([true, hash]) do |(found, node), key|
    return [false, nil] unless found && node.is_a?(Hash) && node.key?(key)

    [true, node[key]]
  end
end

# Stringifies hash keys recursively (YAML may hand us symbols or integers).
def deep_stringify(value)
  case value
  when Hash then value.each_with_object({}) { |(k, v), h| h[k.to_s] = deep_stringify(v) }
  when Array then value.map { |v| deep_stringify(v) }
  else value
  end
end

# The result of if_p / if_link: lets a template say `.else do ... end`.
class Branch
  def initialize(taken)
    @taken = taken
  end

  def else
    yield unless @taken
  end
end

# Property lookup shared by the job context and links.
module PropertyLookup
  def p(*args)
    names = Array(args[0])
    default = args.length > 1 ? args[1] : NO_DEFAULT
    names.each do |name|
      found, value = lookup(name)
      return value if found && !value.nil?
    end
    return default unless default.equal?(NO_DEFAULT)

    raise RenderError, "Can't find property '#{names.join("', '")}'"
  end

  def if_p(*names)
    values = names.map do |name|
      found, value = lookup(name)
      return Branch.new(false) unless found && !value.nil?

      value
    end
    yield(*values)
    Branch.new(true)
  end
end

# A link stub: properties plus instances, as the manifest file gives them.
class Link
  include PropertyLookup

  def initialize(name, data)
    @name = name
    @properties = data.fetch('properties', {})
    @instances = data.fetch('instances', []).map { |i| Record.new(i) }
  end

  attr_reader :instances

  def address
    @instances.first&.address or raise RenderError, "link '#{@name}' has no instances"
  end

  private

  def lookup(name)
    dig_dotted(@properties, name)
  end
end

# The binding every template of one job is evaluated in.
class JobContext
  include PropertyLookup

  attr_reader :name, :spec

  def initialize(job_name, declared, manifest)
    @name = job_name
    @declared = declared
    @properties = deep_stringify(manifest.fetch('properties', {}) || {})
    @links = deep_stringify(manifest.fetch('links', {}) || {})
    spec = {
      'id' => 'e5b1c3a0-4f2d-4c61-9a7e-1d2c3b4a5f60', 'index' => 0, 'address' => '10.0.16.5',
      'ip' => '10.0.16.5', 'deployment' => 'cf', 'name' => job_name, 'az' => 'z1', 'bootstrap' => true
    }.merge(deep_stringify(manifest.fetch('spec', {}) || {}))
    @spec = Record.new(spec)
  end

  def link(name)
    data = @links[name] or raise RenderError, "Can't find link '#{name}'"
    Link.new(name, data)
  end

  def if_link(name)
    return Branch.new(false) unless @links.key?(name)

    yield link(name)
    Branch.new(true)
  end

  def render(text)
    ERB.new(text, trim_mode: '-').result(binding)
  end

  private

  # Only declared properties are visible; the manifest's value wins over
  # the spec's default, as the director merges them.
  def lookup(name)
    return [false, nil] unless @declared.key?(name)

    found, value = dig_dotted(@properties, name)
    return [true, value] if found && !value.nil?

    spec = @declared[name] || {}
    spec.key?('default') ? [true, spec['default']] : [false, nil]
  end
end

def parse_args(argv)
  opts = { root: nil, only: nil }
  rest = []
  until argv.empty?
    arg = argv.shift
    case arg
    when '--root' then opts[:root] = argv.shift
    when '--only' then opts[:only] = argv.shift
    else rest << arg
    end
  end
  raise RenderError, 'usage: render.rb JOB_DIR MANIFEST OUT_DIR [--root DIR] [--only TEMPLATE]' unless rest.length == 3

  opts.merge(job_dir: rest[0], manifest: rest[1], out: rest[2])
end

def main(argv)
  opts = parse_args(argv)
  spec = YAML.safe_load(File.read(File.join(opts[:job_dir], 'spec')))
  manifest = YAML.safe_load(File.read(opts[:manifest])) || {}
  context = JobContext.new(spec.fetch('name'), spec.fetch('properties', {}) || {}, manifest)
  templates = spec.fetch('templates', {})
  if opts[:only]
    raise RenderError, "#{spec['name']} has no template #{opts[:only]}" unless templates.key?(opts[:only])

    templates = templates.slice(opts[:only])
  end
  templates.each do |source, destination|
    text = File.read(File.join(opts[:job_dir], 'templates', source))
    begin
      output = context.render(text)
    rescue RenderError, StandardError => e
      raise RenderError, "#{spec['name']}/#{source}: #{e.message}"
    end
    output = output.gsub('/var/vcap/', "#{opts[:root].chomp('/')}/") if opts[:root]
    if opts[:out] == '-'
      $stdout.write(output)
      next
    end
    path = File.join(opts[:out], destination)
    FileUtils.mkdir_p(File.dirname(path))
    File.write(path, output)
    File.chmod(destination.start_with?('bin/') ? 0o755 : 0o644, path)
  end
rescue RenderError, Psych::SyntaxError, Errno::ENOENT => e
  warn "render.rb: #{e.message}"
  exit 1
end

main(ARGV.dup) if $PROGRAM_NAME == __FILE__
